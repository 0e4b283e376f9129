// Compare: two or more clips side by side on the style metrics and the emotion distribution.
import * as Plot from "@observablehq/plot";
import { gql } from "../api.js";
import { chartPanel, EMOTION_COLOURS } from "../charts.js";
import { dataTable, fill, h, tableObjects, type AnalysisTable } from "../ui.js";

const METRICS = [
  ["averageShotLength", "average shot length (s)"],
  ["cutsPerMinute", "cuts per minute"],
  ["brightness", "brightness"],
  ["saturation", "saturation"],
  ["wordsPerMinute", "words per minute"],
  ["speechShare", "share of time with speech"],
] as const;
const EMOTIONS = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"];

export function comparePage(root: HTMLElement, params: URLSearchParams): void {
  const picker = h("fieldset", { id: "compare-picker" }, h("legend", {}, "Clips to compare (two or more)"));
  const result = h("div", { id: "compare-result", "aria-live": "polite" });
  root.replaceChildren(h("h1", {}, "Compare"), picker, result);
  const preselected = new Set((params.get("ids") ?? "").split(",").filter(Boolean));

  void fill(picker, async () => {
    const data = await gql<{ clips: { nodes: { id: string; title: string }[] } }>(
      `query Pick { clips(first: 100) { nodes { id title } } }`,
    );
    const boxes = data.clips.nodes.map((c) =>
      h(
        "label",
        { class: "pick" },
        h("input", { type: "checkbox", value: c.id, checked: preselected.has(c.id) || preselected.size === 0 }),
        ` ${c.title}`,
      ),
    );
    const run = () => {
      const ids = boxes
        .map((b) => b.querySelector("input")!)
        .filter((i) => i.checked)
        .map((i) => i.value);
      if (ids.length < 2) {
        result.replaceChildren(h("p", { class: "muted" }, "Choose at least two clips."));
        return;
      }
      void fill(result, () => comparison(ids));
    };
    const form = h(
      "form",
      {
        onsubmit: (e: Event) => {
          e.preventDefault();
          run();
        },
      },
      h("legend", {}, "Clips to compare (two or more)"),
      ...boxes,
      h("button", { type: "submit" }, "Compare"),
    );
    if (data.clips.nodes.length >= 2) queueMicrotask(run);
    return data.clips.nodes.length < 2
      ? h("p", { class: "muted" }, "Ingest at least two clips to compare them.")
      : form;
  });
}

async function comparison(ids: string[]): Promise<HTMLElement> {
  const data = await gql<{ style: { tables: AnalysisTable[] }; emotion: { tables: AnalysisTable[] } }>(
    `query Compare($scope: AnalysisScopeInput) {
      style: styleAnalysis(scope: $scope, looks: false) { tables { name columns rows } }
      emotion: emotionAnalysis(scope: $scope) { tables { name columns rows } }
    }`,
    { scope: { clipIds: ids } },
  );
  const style = data.style.tables.find((t) => t.name === "comparison") ?? { name: "comparison", columns: [], rows: [] };
  const emotion = data.emotion.tables.find((t) => t.name === "clips") ?? { name: "clips", columns: [], rows: [] };
  const styleRows = tableObjects(style);
  return h(
    "div",
    {},
    dataTable(style.columns, style.rows, "Style metrics per clip"),
    h(
      "div",
      { class: "chart-grid compact" },
      ...METRICS.map(([metric, label]) =>
        chartPanel(
          {
            id: `compare-${metric}`,
            title: label,
            table: style,
            rows: styleRows,
            plot: (rows, width) =>
              Plot.plot({
                width: Math.min(width, 380),
                height: 200,
                marginLeft: 120,
                x: { label, grid: true },
                y: { label: null },
                marks: [Plot.barX(rows, { y: "clipTitle", x: metric, fill: "#3a6ea5", tip: true }), Plot.ruleX([0])],
              }),
          },
          "comparison",
        ),
      ),
      chartPanel(
        {
          id: "compare-emotion",
          title: "Emotion distribution per clip",
          table: emotion,
          plot: (rows, width) =>
            Plot.plot({
              width,
              height: 60 + 28 * rows.length,
              marginLeft: 120,
              x: { label: "share", domain: [0, 1] },
              y: { label: null },
              color: { domain: EMOTIONS, range: EMOTIONS.map((e) => EMOTION_COLOURS[e]!), legend: true },
              marks: [
                Plot.barX(
                  rows.flatMap((r) =>
                    EMOTIONS.map((e) => ({ clip: r.clipTitle, emotion: e, share: Number(r[e] ?? 0) })),
                  ),
                  { y: "clip", x: "share", fill: "emotion", tip: true },
                ),
              ],
            }),
        },
        "comparison",
      ),
    ),
  );
}
