// A chart panel: an Observable Plot SVG drawn from one of the API's flat tables, with the number of points
// it drew in `data-points` (tests and users can check the chart against the table), and exports of the
// data (CSV, exactly the table) and of the picture (SVG, PNG).
import * as Plot from "@observablehq/plot";
import { download, errorBox, h, tableObjects, toCsv, type AnalysisTable } from "./ui.js";

export interface ChartSpec {
  id: string;
  title: string;
  table: AnalysisTable;
  /** rows actually drawn (defaults to every row of the table) */
  rows?: Record<string, unknown>[];
  plot(rows: Record<string, unknown>[], width: number): SVGSVGElement | HTMLElement;
  note?: string;
}

const EMOTIONS = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"] as const;
export const EMOTION_COLOURS: Record<string, string> = {
  anger: "#d62728",
  disgust: "#8c564b",
  fear: "#9467bd",
  joy: "#f2b701",
  sadness: "#1f77b4",
  surprise: "#17becf",
  neutral: "#9e9e9e",
};

export function chartPanel(spec: ChartSpec, clipTitle: string): HTMLElement {
  const rows = spec.rows ?? tableObjects(spec.table);
  const figure = h("figure", { class: "chart-figure" });
  const width = Math.max(320, Math.min(1100, (document.querySelector("main")?.clientWidth ?? 1000) - 48));
  const drawn = rows.length > 0 ? spec.plot(rows, width) : h("p", { class: "muted" }, "no data for this chart");
  figure.append(drawn);
  const base = `${slug(clipTitle)}-${spec.id}`;
  const svgOf = (): SVGSVGElement | null => exportSvg(drawn);
  return h(
    "section",
    {
      class: "chart",
      "data-chart": spec.id,
      "data-table": spec.table.name,
      "data-points": rows.length,
      "aria-labelledby": `${spec.id}-title`,
    },
    h("h3", { id: `${spec.id}-title` }, spec.title),
    spec.note ? h("p", { class: "muted" }, spec.note) : null,
    figure,
    h(
      "div",
      { class: "exports" },
      h(
        "button",
        {
          type: "button",
          "data-export": "csv",
          onclick: () => download(`${base}.csv`, new Blob([toCsv(spec.table)], { type: "text/csv" })),
        },
        "CSV",
      ),
      h(
        "button",
        {
          type: "button",
          "data-export": "svg",
          disabled: rows.length === 0,
          onclick: () => {
            const svg = svgOf();
            if (svg) download(`${base}.svg`, new Blob([serialise(svg)], { type: "image/svg+xml" }));
          },
        },
        "SVG",
      ),
      h(
        "button",
        {
          type: "button",
          "data-export": "png",
          disabled: rows.length === 0,
          onclick: (e: Event) => {
            const button = e.currentTarget as HTMLElement;
            const svg = svgOf();
            if (svg)
              void toPng(svg).then(
                (png) => download(`${base}.png`, png),
                (error: unknown) => button.parentElement?.append(errorBox(error)),
              );
          },
        },
        "PNG",
      ),
    ),
  );
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "clip"
  );
}

const SVG_NS = "http://www.w3.org/2000/svg";
const LEGEND_HEIGHT = 24;

function size(svg: SVGSVGElement): { width: number; height: number } {
  const box = svg.getBoundingClientRect();
  const width = Number(svg.getAttribute("width")) || box.width;
  const height = Number(svg.getAttribute("height")) || box.height;
  return { width: Math.max(1, Math.round(width)), height: Math.max(1, Math.round(height)) };
}

/**
 * The chart as one standalone SVG: Plot draws the chart as the figure's own <svg> and its colour legend as
 * HTML swatches (each a tiny <svg>), so the export takes the chart's <svg> and draws the legend above it.
 */
function exportSvg(drawn: Element): SVGSVGElement | null {
  const chart = drawn instanceof SVGSVGElement ? drawn : drawn.querySelector<SVGSVGElement>(":scope > svg");
  if (!chart) return null;
  const { width, height } = size(chart);
  const copy = chart.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", SVG_NS);
  copy.setAttribute("width", String(width));
  copy.setAttribute("height", String(height));
  const swatches = drawn === chart ? [] : [...drawn.querySelectorAll<SVGSVGElement>("svg")].filter((s) => s !== chart);
  if (swatches.length === 0) return copy;
  const root = document.createElementNS(SVG_NS, "svg");
  root.setAttribute("xmlns", SVG_NS);
  root.setAttribute("width", String(width));
  root.setAttribute("height", String(height + LEGEND_HEIGHT));
  root.setAttribute("viewBox", `0 0 ${width} ${height + LEGEND_HEIGHT}`);
  root.setAttribute("font-family", "system-ui, sans-serif");
  root.setAttribute("font-size", "12");
  let x = 4;
  for (const swatch of swatches) {
    const colour = swatch.getAttribute("fill") ?? swatch.querySelector("[fill]")?.getAttribute("fill") ?? "#000";
    const label = swatch.parentElement?.textContent?.trim() ?? "";
    const rect = document.createElementNS(SVG_NS, "rect");
    for (const [k, v] of Object.entries({ x, y: 6, width: 12, height: 12, fill: colour }))
      rect.setAttribute(k, String(v));
    const text = document.createElementNS(SVG_NS, "text");
    for (const [k, v] of Object.entries({ x: x + 16, y: 16, fill: "#222" })) text.setAttribute(k, String(v));
    text.textContent = label;
    root.append(rect, text);
    x += 16 + label.length * 7 + 14;
  }
  copy.setAttribute("x", "0");
  copy.setAttribute("y", String(LEGEND_HEIGHT));
  copy.removeAttribute("xmlns");
  root.append(copy);
  return root;
}

function serialise(svg: SVGSVGElement): string {
  return new XMLSerializer().serializeToString(svg);
}

/** Offline PNG: the serialised SVG drawn onto a canvas at twice its size, white behind it. */
async function toPng(svg: SVGSVGElement): Promise<Blob> {
  const { width, height } = size(svg);
  const img = new Image();
  const url = URL.createObjectURL(new Blob([serialise(svg)], { type: "image/svg+xml" }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the chart could not be rendered"));
      img.src = url;
    });
    const canvas = h("canvas", { width: width * 2, height: height * 2 });
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no canvas");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG export failed"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** seconds → m:ss (or h:mm:ss) for time axes */
function clock(seconds: number): string {
  const s = Math.round(seconds);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh > 0 ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

// ---- the plots -------------------------------------------------------------------------------------

/** Stacked emotion shares over time (one point per row: a scene or a bin), hover shows the row. */
export function emotionArc(rows: Record<string, unknown>[], width: number): SVGSVGElement | HTMLElement {
  const long = rows.flatMap((r) =>
    EMOTIONS.map((emotion) => ({
      t: Number(r.startTime),
      end: Number(r.endTime),
      emotion,
      share: Number(r[emotion] ?? 0),
    })),
  );
  // a step curve ends at its last point: the last row's shares are repeated at its end so it has a width
  const last = rows.at(-1);
  const tail = last
    ? EMOTIONS.map((emotion) => ({
        t: Number(last.endTime),
        end: Number(last.endTime),
        emotion,
        share: Number(last[emotion] ?? 0),
      }))
    : [];
  return Plot.plot({
    width,
    height: 260,
    x: { label: "time (s)" },
    y: { label: "share", domain: [0, 1] },
    color: { domain: [...EMOTIONS], range: EMOTIONS.map((e) => EMOTION_COLOURS[e]!), legend: true },
    marks: [
      Plot.areaY([...long, ...tail], { x: "t", y: "share", fill: "emotion", curve: "step-after", tip: true }),
      Plot.ruleY([0]),
    ],
  });
}

export function lineChart(
  rows: Record<string, unknown>[],
  width: number,
  x: string,
  ys: string[],
  yLabel: string,
): SVGSVGElement | HTMLElement {
  const long = rows.flatMap((r) => ys.map((series) => ({ x: Number(r[x]), y: Number(r[series] ?? 0), series })));
  return Plot.plot({
    width,
    height: 220,
    x: { label: "time", tickFormat: clock },
    y: { label: yLabel, grid: true },
    color: { legend: ys.length > 1 },
    marks: [
      Plot.lineY(long, { x: "x", y: "y", z: "series", stroke: "series", marker: "dot", tip: true }),
      Plot.ruleY([0]),
    ],
  });
}

export function barChart(
  rows: Record<string, unknown>[],
  width: number,
  x: string,
  y: string,
  opts: { xLabel?: string; yLabel?: string; fill?: string } = {},
): SVGSVGElement | HTMLElement {
  return Plot.plot({
    width,
    height: 220,
    marginBottom: 40,
    // bars keep the table's order (bins are ordered, not alphabetical)
    x: { label: opts.xLabel ?? x, type: "band", domain: rows.map((r) => r[x]), tickRotate: rows.length > 12 ? -45 : 0 },
    y: { label: opts.yLabel ?? y, grid: true },
    marks: [Plot.barY(rows, { x, y, fill: opts.fill ?? "#3a6ea5", tip: true }), Plot.ruleY([0])],
  });
}
