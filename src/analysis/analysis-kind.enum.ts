// The GraphQL enum AnalysisKind, registered by src/analysis/analysis.kinds.ts from its list of folders. The
// types that show a kind (AnalysisRunInfo, AnalysisCompletedEvent) name the enum through `analysisKindEnum`,
// read when the schema is built, so that they need not import the folders (which import them).
import "reflect-metadata";
import { registerEnumType } from "type-graphql";
import { enumObject } from "../domain/enums.js";

let registered: Readonly<Record<string, string>> | undefined;

export function registerAnalysisKinds(kinds: readonly string[]): void {
  registered = enumObject(kinds);
  registerEnumType(registered, { name: "AnalysisKind" });
}

/** the enum object (after src/analysis/analysis.kinds.ts is loaded, as it is before any schema is built) */
export function analysisKindEnum(): Readonly<Record<string, string>> {
  if (!registered) throw new Error("AnalysisKind is read before src/analysis/analysis.kinds.ts registered it");
  return registered;
}
