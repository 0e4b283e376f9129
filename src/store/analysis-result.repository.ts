// The AnalysisResult table: stored analysis results, one row per input key (kind, scope, parameters, models,
// code version). Values that are lists or objects are JSON text; src/analysis/results/analysis-store.ts
// reads and writes them.
import type { PrismaClient } from "./prisma.client.js";

export interface AnalysisResultRow {
  id: string;
  kind: string;
  scopeHash: string;
  inputKey: string;
  clipIds: string;
  parameters: string;
  models: string;
  codeVersion: string;
  result: string;
  createdAt: Date;
}

export type AnalysisResultData = Omit<AnalysisResultRow, "id" | "createdAt">;

export class AnalysisResultRepository {
  constructor(private readonly prisma: PrismaClient) {}

  byInputKey(inputKey: string): Promise<AnalysisResultRow | null> {
    return this.prisma.analysisResult.findUnique({ where: { inputKey } });
  }

  byId(id: string): Promise<AnalysisResultRow | null> {
    return this.prisma.analysisResult.findUnique({ where: { id } });
  }

  /** writes the result of these inputs, replacing (and re-dating) one stored before */
  save(data: AnalysisResultData): Promise<AnalysisResultRow> {
    return this.prisma.analysisResult.upsert({
      where: { inputKey: data.inputKey },
      create: data,
      update: { ...data, createdAt: new Date() },
    });
  }

  /** newest first; `clipId`: results whose scope includes the clip */
  list(filter: { kinds?: readonly string[]; clipId?: string; take: number }): Promise<AnalysisResultRow[]> {
    return this.prisma.analysisResult.findMany({
      where: {
        ...(filter.kinds?.length ? { kind: { in: [...filter.kinds] } } : {}),
        ...(filter.clipId ? { clipIds: { contains: JSON.stringify(filter.clipId) } } : {}),
      },
      orderBy: { createdAt: "desc" },
      take: filter.take,
    });
  }
}
