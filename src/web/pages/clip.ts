// A clip's page: the timeline (shots coloured by their keyframe's palette, scenes, dialogue), a keyframe
// contact sheet, and the charts of its analyses; clicking anything shows its timecode, keyframe and lines.
// When `analysisCompleted` arrives for this clip the charts are drawn again, without a reload.
import { gql, subscribe } from "../api.js";
import { barChart, chartPanel, emotionArc, lineChart } from "../charts.js";
import { errorBox, fill, h, timecode, type AnalysisTable } from "../ui.js";

interface Keyframe {
  url: string;
  time: number;
  brightness: number;
  saturation: number;
  palette: { hex: string; share: number }[];
}
interface Shot {
  index: number;
  startTime: number;
  endTime: number;
  transition: string;
  keyframe: Keyframe | null;
}
interface Scene {
  id: string;
  index: number;
  startTime: number;
  endTime: number;
}
interface Cue {
  startTime: number;
  endTime: number;
  text: string;
  speaker: string | null;
  language: string | null;
}
interface ClipInfo {
  id: string;
  title: string;
  duration: number;
  frameRate: number;
  width: number;
  height: number;
  status: string;
}
interface Page<T> {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: T[];
}

const PAGE = 100;
const MAX_PAGES = 200; // 20,000 rows of one kind: beyond that the page shows the first ones and says so

/** Every row of one of a clip's connections, page by page. */
async function allOf<T>(clipId: string, field: string, selection: string): Promise<{ rows: T[]; truncated: boolean }> {
  const query = `query Rows($id: ID!, $after: String) { clip(id: $id) { ${field}(first: ${PAGE}, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { ${selection} } } } }`;
  const rows: T[] = [];
  let after: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const data: { clip: Record<string, Page<T>> | null } = await gql(query, { id: clipId, after });
    const page = data.clip?.[field];
    if (!page) break;
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return { rows, truncated: false };
    after = page.pageInfo.endCursor;
  }
  return { rows, truncated: true };
}

export function clipPage(
  root: HTMLElement,
  clipId: string,
  params: URLSearchParams,
  onLeave: (cleanup: () => void) => void,
): void {
  const header = h("div", {});
  const timelineBox = h("div", { id: "timeline-box" });
  const details = h(
    "aside",
    { id: "details", class: "details", "aria-live": "polite" },
    h("p", { class: "muted" }, "Click a shot, scene, line or keyframe."),
  );
  const sheetBox = h("div", { id: "contact-sheet" });
  const chartsBox = h("div", { id: "charts" });
  const themesBox = h("div", { id: "themes" });
  const liveNote = h("p", { class: "muted", id: "live-note", "aria-live": "polite" });
  root.replaceChildren(
    header,
    h("h2", {}, "Timeline"),
    h("div", { class: "timeline-layout" }, timelineBox, details),
    h("h2", {}, "Charts"),
    liveNote,
    chartsBox,
    h("h2", {}, "Themes"),
    themesBox,
    h("h2", {}, "Keyframes"),
    sheetBox,
  );

  void (async () => {
    let info: ClipInfo | null;
    try {
      info = (
        await gql<{ clip: ClipInfo | null }>(
          `query Clip($id: ID!) { clip(id: $id) { id title duration frameRate width height status } }`,
          { id: clipId },
        )
      ).clip;
    } catch (error) {
      header.replaceChildren(errorBox(error));
      return;
    }
    if (!info) {
      header.replaceChildren(h("h1", {}, "Clip not found"), h("p", {}, h("a", { href: "#/" }, "Back to the library")));
      return;
    }
    const clip = info;
    header.replaceChildren(
      h("h1", {}, clip.title),
      h(
        "p",
        { class: "muted" },
        `${timecode(clip.duration)} · ${clip.width}×${clip.height} · ${clip.frameRate.toFixed(3)} fps · ${clip.status}`,
      ),
    );
    const show = (node: Node) => details.replaceChildren(node);
    await fill(timelineBox, async () => {
      const [shots, scenes, cues] = await Promise.all([
        allOf<Shot>(
          clip.id,
          "shots",
          "index startTime endTime transition keyframe { url time brightness saturation palette { hex share } }",
        ),
        allOf<Scene>(clip.id, "scenes", "id index startTime endTime"),
        allOf<Cue>(clip.id, "cues", "startTime endTime text speaker language"),
      ]);
      sheetBox.replaceChildren(contactSheet(shots.rows, cues.rows, show));
      const timeline = drawTimeline(clip, shots.rows, scenes.rows, cues.rows, show);
      const jumpTo = Number(params.get("t"));
      if (params.has("t") && Number.isFinite(jumpTo)) {
        // a citation names its scene; a bare time shows the scene around it
        const cited = scenes.rows.filter((s) => s.id === params.get("scene"));
        show(momentDetails(jumpTo, shots.rows, cues.rows, cited.length > 0 ? cited : scenes.rows));
        const target = cited[0] ?? scenes.rows.find((s) => s.startTime <= jumpTo && jumpTo < s.endTime);
        if (target) timeline.querySelector(`[data-scene="${CSS.escape(target.id)}"]`)?.classList.add("selected");
      }
      const truncated = [shots, scenes, cues].some((r) => r.truncated);
      return h(
        "div",
        {},
        timeline,
        truncated
          ? h("p", { class: "muted" }, `Only the first ${PAGE * MAX_PAGES} rows of each kind are drawn.`)
          : null,
      );
    });
    const drawCharts = () => Promise.all([fill(chartsBox, () => charts(clip)), fill(themesBox, () => themes(clip))]);
    await drawCharts();
    const end = subscribe<{ analysisCompleted: { kind: string } }>(
      `subscription Live($ids: [ID!]) { analysisCompleted(clipIds: $ids) { kind run { id } } }`,
      { ids: [clip.id] },
      ({ analysisCompleted }) => {
        liveNote.textContent = `A new ${analysisCompleted.kind.toLowerCase()} result arrived: charts updated.`;
        void drawCharts();
      },
      (error) => liveNote.replaceChildren(errorBox(error)),
    );
    onLeave(end);
  })();
}

// ---- timeline ---------------------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";
function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function drawTimeline(
  clip: ClipInfo,
  shots: Shot[],
  scenes: Scene[],
  cues: Cue[],
  show: (n: Node) => void,
): SVGElement {
  const width = 1000;
  const rows = { shots: 8, scenes: 62, cues: 96 };
  const total = Math.max(clip.duration, ...shots.map((s) => s.endTime), 0.001);
  const x = (t: number) => (t / total) * width;
  const svg = svgEl("svg", {
    viewBox: `0 0 ${width} 130`,
    class: "timeline",
    role: "group",
    "aria-label": `timeline of ${clip.title}: ${shots.length} shots, ${scenes.length} scenes, ${cues.length} lines`,
    "data-shots": shots.length,
    "data-scenes": scenes.length,
    "data-cues": cues.length,
  });
  const label = (text: string, y: number) => {
    const t = svgEl("text", { x: 2, y, class: "lane" });
    t.textContent = text;
    svg.append(t);
  };
  label("shots", rows.shots - 2);
  label("scenes", rows.scenes - 2);
  label("dialogue", rows.cues - 2);
  const clickable = (el: SVGElement, title: string, onActivate: () => void) => {
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", title);
    const t = svgEl("title", {});
    t.textContent = title;
    el.append(t);
    el.addEventListener("click", onActivate);
    el.addEventListener("keydown", (e) => {
      const key = e.key;
      if (key === "Enter" || key === " ") {
        e.preventDefault();
        onActivate();
      }
    });
    svg.append(el);
  };
  for (const s of shots) {
    const colour = s.keyframe?.palette[0]?.hex ?? "#777777";
    const rect = svgEl("rect", {
      x: x(s.startTime),
      y: rows.shots,
      width: Math.max(0.5, x(s.endTime) - x(s.startTime)),
      height: 44,
      fill: colour,
      class: "shot",
      "data-index": s.index,
    });
    clickable(rect, `shot ${s.index + 1}, ${timecode(s.startTime)}–${timecode(s.endTime)}, ${s.transition}`, () =>
      show(shotDetails(s, cues)),
    );
  }
  for (const sc of scenes) {
    const rect = svgEl("rect", {
      x: x(sc.startTime),
      y: rows.scenes,
      width: Math.max(0.5, x(sc.endTime) - x(sc.startTime) - 1),
      height: 22,
      class: `scene scene-${sc.index % 2}`,
      "data-scene": sc.id,
    });
    clickable(rect, `scene ${sc.index + 1}, ${timecode(sc.startTime)}–${timecode(sc.endTime)}`, () =>
      show(momentDetails(sc.startTime, shots, cues, [sc])),
    );
  }
  for (const c of cues) {
    const rect = svgEl("rect", {
      x: x(c.startTime),
      y: rows.cues,
      width: Math.max(0.5, x(c.endTime) - x(c.startTime)),
      height: 22,
      class: "cue",
    });
    clickable(rect, `${timecode(c.startTime)} ${c.speaker ? `${c.speaker}: ` : ""}${c.text}`, () =>
      show(momentDetails(c.startTime, shots, cues, [])),
    );
  }
  return svg;
}

function cuesIn(cues: Cue[], start: number, end: number): Cue[] {
  return cues.filter((c) => c.endTime > start && c.startTime < end);
}

function lines(cues: Cue[]): HTMLElement {
  if (cues.length === 0) return h("p", { class: "muted" }, "no dialogue here");
  return h(
    "ul",
    { class: "lines" },
    ...cues.map((c) =>
      h(
        "li",
        {},
        h("span", { class: "tc" }, timecode(c.startTime)),
        " ",
        c.speaker ? h("strong", {}, `${c.speaker}: `) : null,
        c.text,
      ),
    ),
  );
}

function keyframeImg(k: Keyframe | null | undefined, alt: string): Node {
  return k ? h("img", { src: k.url, alt, width: 320 }) : h("p", { class: "muted" }, "no keyframe");
}

function shotDetails(s: Shot, cues: Cue[]): HTMLElement {
  return h(
    "div",
    { "data-detail": "shot" },
    h("h3", {}, `Shot ${s.index + 1}`),
    h(
      "p",
      { class: "tc" },
      `${timecode(s.startTime)} – ${timecode(s.endTime)} (${(s.endTime - s.startTime).toFixed(2)} s), ${s.transition}`,
    ),
    keyframeImg(s.keyframe, `keyframe of shot ${s.index + 1}`),
    s.keyframe
      ? h(
          "p",
          { class: "palette" },
          ...s.keyframe.palette.map((p) =>
            h("span", {
              class: "swatch",
              style: `background:${p.hex}`,
              title: `${p.hex} ${(p.share * 100).toFixed(0)}%`,
            }),
          ),
        )
      : null,
    lines(cuesIn(cues, s.startTime, s.endTime)),
  );
}

function momentDetails(t: number, shots: Shot[], cues: Cue[], scenes: Scene[]): HTMLElement {
  const shot = shots.find((s) => s.startTime <= t && t < s.endTime) ?? shots[shots.length - 1];
  const scene = scenes.find((s) => s.startTime <= t && t < s.endTime) ?? (scenes.length === 1 ? scenes[0] : undefined);
  const [start, end] = scene ? [scene.startTime, scene.endTime] : shot ? [shot.startTime, shot.endTime] : [t, t];
  return h(
    "div",
    { "data-detail": scene ? "scene" : "moment", "data-scene": scene?.id },
    h("h3", {}, scene ? `Scene ${scene.index + 1}` : `At ${timecode(t)}`),
    h("p", { class: "tc" }, `${timecode(start)} – ${timecode(end)}`),
    keyframeImg(shot?.keyframe, `keyframe at ${timecode(t)}`),
    lines(cuesIn(cues, start, end)),
  );
}

function contactSheet(shots: Shot[], cues: Cue[], show: (n: Node) => void): HTMLElement {
  const withFrames = shots.filter((s) => s.keyframe);
  if (withFrames.length === 0) return h("p", { class: "muted" }, "no keyframes");
  return h(
    "ul",
    { class: "sheet", "data-keyframes": withFrames.length },
    ...withFrames.map((s) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "frame",
            onclick: () => show(shotDetails(s, cues)),
            "aria-label": `shot ${s.index + 1} at ${timecode(s.keyframe!.time)}`,
          },
          h("img", { src: s.keyframe!.url, alt: "", loading: "lazy", width: 160 }),
          h("span", { class: "tc" }, timecode(s.keyframe!.time)),
        ),
      ),
    ),
  );
}

// ---- charts -----------------------------------------------------------------------------------------

type Tables = { tables: AnalysisTable[] };
function table(result: Tables, name: string): AnalysisTable {
  return result.tables.find((t) => t.name === name) ?? { name, columns: [], rows: [] };
}

async function charts(clip: ClipInfo): Promise<HTMLElement> {
  const scope = { clipIds: [clip.id] };
  const data = await gql<{ byScene: Tables; byMinute: Tables; style: Tables }>(
    `query Charts($scope: AnalysisScopeInput) {
      byScene: emotionAnalysis(scope: $scope, resolution: SCENE) { tables { name columns rows } }
      byMinute: emotionAnalysis(scope: $scope, resolution: MINUTE) { tables { name columns rows } }
      style: styleAnalysis(scope: $scope, binSeconds: 60) { tables { name columns rows } }
    }`,
    { scope },
  );
  const peaks = table(data.byScene, "peaks");
  const palette = table(data.style, "visual");
  return h(
    "div",
    { class: "chart-grid" },
    chartPanel(
      { id: "emotion-scenes", title: "Emotion arc per scene", table: table(data.byScene, "arc"), plot: emotionArc },
      clip.title,
    ),
    chartPanel(
      { id: "emotion-minutes", title: "Emotion arc per minute", table: table(data.byMinute, "arc"), plot: emotionArc },
      clip.title,
    ),
    peakList(peaks),
    chartPanel(
      {
        id: "shot-lengths",
        title: "Shot-length distribution",
        table: table(data.style, "shotLengths"),
        plot: (rows, w) =>
          barChart(
            rows.map((r) => ({
              ...r,
              bin:
                r.maxLength === null ? `${String(r.minLength)}+ s` : `${String(r.minLength)}–${Number(r.maxLength)} s`,
            })),
            w,
            "bin",
            "count",
            { xLabel: "shot length", yLabel: "shots" },
          ),
      },
      clip.title,
    ),
    chartPanel(
      {
        id: "cutting-rate",
        title: "Cutting rate over time",
        table: table(data.style, "cuttingRate"),
        plot: (r, w) => lineChart(r, w, "startTime", ["cutsPerMinute"], "cuts per minute"),
      },
      clip.title,
    ),
    chartPanel(
      {
        id: "visual",
        title: "Brightness and saturation over time",
        table: table(data.style, "visualBins"),
        plot: (r, w) => lineChart(r, w, "startTime", ["brightness", "saturation", "contrast"], "0..1"),
      },
      clip.title,
    ),
    chartPanel(
      { id: "palette", title: "Dominant colour per keyframe", table: palette, plot: paletteStrip },
      clip.title,
    ),
    chartPanel(
      {
        id: "dialogue-pace",
        title: "Dialogue pace",
        table: table(data.style, "dialogueBins"),
        plot: (r, w) => lineChart(r, w, "startTime", ["wordsPerMinute"], "words per minute"),
      },
      clip.title,
    ),
  );
}

function paletteStrip(rows: Record<string, unknown>[], width: number): SVGSVGElement {
  const svg = svgEl("svg", { viewBox: `0 0 ${width} 40`, width, height: 40, class: "palette-strip" }) as SVGSVGElement;
  const n = rows.length;
  rows.forEach((r, i) => {
    const rect = svgEl("rect", {
      x: (i / n) * width,
      y: 0,
      width: width / n + 0.5,
      height: 40,
      fill: String(r.dominantColour),
    });
    const t = svgEl("title", {});
    t.textContent = `${timecode(Number(r.time))} ${String(r.dominantColour)}`;
    rect.append(t);
    svg.append(rect);
  });
  return svg;
}

function peakList(peaks: AnalysisTable): HTMLElement {
  const rows = peaks.rows.map((r) => Object.fromEntries(peaks.columns.map((c, i) => [c, r[i]])));
  return h(
    "section",
    { class: "chart", "data-chart": "emotion-peaks", "data-points": rows.length },
    h("h3", {}, "Emotional peaks and their lines"),
    rows.length === 0
      ? h("p", { class: "muted" }, "no peaks")
      : h(
          "ul",
          { class: "lines" },
          ...rows.map((r) =>
            h(
              "li",
              { title: `${String(r.emotion)} ${Number(r.score).toFixed(2)}` },
              h("span", { class: `emotion emotion-${String(r.emotion)}` }, String(r.emotion)),
              " ",
              h("span", { class: "tc" }, timecode(Number(r.startTime))),
              " ",
              String(r.text),
            ),
          ),
        ),
  );
}

interface ThemeRow {
  label: string;
  share: number;
  keywords: { term: string }[];
  evidence: { startTime: number; quote: string | null; scene: { id: string } }[];
}

async function themes(clip: ClipInfo): Promise<HTMLElement> {
  const data = await gql<{ themeDiscovery: { method: string; themes: ThemeRow[] } }>(
    `query Themes($scope: AnalysisScopeInput) { themeDiscovery(scope: $scope) { method
      themes { label share keywords { term } evidence { startTime quote scene { id } } } } }`,
    { scope: { clipIds: [clip.id] } },
  );
  const list = data.themeDiscovery.themes;
  if (list.length === 0) return h("p", { class: "muted" }, "No themes: too few scenes with dialogue.");
  return h(
    "ul",
    { class: "themes", "data-themes": list.length },
    ...list.map((t) =>
      h(
        "li",
        {},
        h("strong", {}, t.label),
        ` · ${(t.share * 100).toFixed(0)}% of scenes · `,
        h("span", { class: "muted" }, t.keywords.map((k) => k.term).join(", ")),
        h(
          "ul",
          {},
          ...t.evidence.map((e) =>
            h(
              "li",
              {},
              h("a", { href: `#/clip/${encodeURIComponent(clip.id)}?t=${e.startTime}` }, timecode(e.startTime)),
              " ",
              e.quote ?? "",
            ),
          ),
        ),
      ),
    ),
  );
}
