// Small DOM helpers: elements, time codes, errors shown where they happened, CSV and file downloads.
import { ApiError } from "./api.js";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** 3725.5 → "1:02:05.500" (hours only when needed) */
export function timecode(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const hh = Math.floor(ms / 3_600_000);
  const mm = Math.floor((ms % 3_600_000) / 60_000);
  const ss = Math.floor((ms % 60_000) / 1000);
  const frac = String(ms % 1000).padStart(3, "0");
  const tail = `${String(ss).padStart(2, "0")}.${frac}`;
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${tail}` : `${mm}:${tail}`;
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
    : s >= 60
      ? `${Math.floor(s / 60)} min ${s % 60} s`
      : `${s} s`;
}

/** The API's message and code, in the panel that asked; never a stack trace. */
export function errorBox(error: unknown): HTMLElement {
  const e = error instanceof ApiError ? error : new ApiError(String((error as Error)?.message ?? error), "ERROR");
  return h("div", { class: "error", role: "alert", "data-code": e.code }, h("strong", {}, e.code), " ", e.message);
}

export function loading(text = "Loading…"): HTMLElement {
  return h("p", { class: "muted", "aria-busy": "true" }, text);
}

/** Replaces a container's content with what a promise renders, or with the error where it happened. */
export async function fill(container: HTMLElement, render: () => Promise<Node>): Promise<void> {
  container.replaceChildren(loading());
  try {
    container.replaceChildren(await render());
  } catch (error) {
    container.replaceChildren(errorBox(error));
  }
}

/** A flat analysis table as the API returns it. */
export interface AnalysisTable {
  name: string;
  columns: string[];
  rows: unknown[][];
}

export function tableObjects(table: AnalysisTable): Record<string, unknown>[] {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i]])));
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s =
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : JSON.stringify(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV of a table: the header, then one line per row, exactly the API's values. */
export function toCsv(table: AnalysisTable): string {
  return [table.columns, ...table.rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

export function download(name: string, content: Blob): void {
  const url = URL.createObjectURL(content);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function dataTable(columns: string[], rows: unknown[][], caption?: string): HTMLTableElement {
  return h(
    "table",
    { class: "data" },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, ...columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((v) => h("td", {}, csvCell(v)))))),
  );
}
