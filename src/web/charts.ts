// A chart panel: an Observable Plot SVG drawn from one of the API's flat tables, with the number of points
// it drew in `data-points` (tests and users can check the chart against the table), and exports of the
// data (CSV, exactly the table) and of the picture (SVG, PNG).
import * as Plot from "@observablehq/plot";
import { download, h, tableObjects, toCsv, type AnalysisTable } from "./ui.js";

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
  const svgOf = (): SVGSVGElement | null =>
    drawn instanceof SVGSVGElement ? drawn : drawn.querySelector<SVGSVGElement>("svg");
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
          onclick: () => {
            const svg = svgOf();
            if (svg) void toPng(svg).then((png) => download(`${base}.png`, png));
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

function serialise(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return new XMLSerializer().serializeToString(copy);
}

async function toPng(svg: SVGSVGElement): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const img = new Image();
  const url = URL.createObjectURL(new Blob([serialise(svg)], { type: "image/svg+xml" }));
  try {
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the chart could not be rendered"));
      img.src = url;
    });
    const canvas = h("canvas", { width: Math.ceil(width * 2), height: Math.ceil(height * 2) });
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
  return Plot.plot({
    width,
    height: 260,
    x: { label: "time (s)" },
    y: { label: "share", domain: [0, 1] },
    color: { domain: [...EMOTIONS], range: EMOTIONS.map((e) => EMOTION_COLOURS[e]!), legend: true },
    marks: [Plot.areaY(long, { x: "t", y: "share", fill: "emotion", curve: "step-after", tip: true }), Plot.ruleY([0])],
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
