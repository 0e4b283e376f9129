// Ask and search: hybrid scene search with highlights, a question whose answer streams in (answerStream)
// with citations that jump to the cited scene, and draftScene with its sources.
import { gql, subscribe } from "../api.js";
import { errorBox, fill, h, loading, timecode } from "../ui.js";

interface Cited {
  marker: number | null;
  startTime: number;
  endTime: number;
  quote: string | null;
  keyframeUrl: string | null;
  clip: { id: string; title: string };
  scene: { id: string; index: number };
}
interface Answer {
  text: string;
  method: string;
  model: string;
  noRelevantScene: boolean;
  citations: Cited[];
}
interface SearchHit {
  score: number;
  highlights: string[];
  matchedBy: string[];
  scene: { id: string; index: number; startTime: number; endTime: number; clip: { id: string; title: string } };
}

const CITED = `marker startTime endTime quote keyframeUrl clip { id title } scene { id index }`;

export function citationLink(c: Pick<Cited, "clip" | "scene" | "startTime">, text: string): HTMLAnchorElement {
  return h(
    "a",
    {
      class: "citation",
      href: `#/clip/${encodeURIComponent(c.clip.id)}?t=${c.startTime}&scene=${encodeURIComponent(c.scene.id)}`,
      "data-scene": c.scene.id,
    },
    text,
  );
}

function citationList(cited: Cited[]): HTMLElement {
  return h(
    "ol",
    { class: "citations" },
    ...cited.map((c) =>
      h(
        "li",
        { "data-marker": c.marker ?? "" },
        c.keyframeUrl ? h("img", { src: c.keyframeUrl, alt: "", width: 96 }) : null,
        citationLink(
          c,
          `${c.marker !== null ? `[S${c.marker}] ` : ""}${c.clip.title} · scene ${c.scene.index + 1} · ${timecode(c.startTime)}`,
        ),
        c.quote ? " " : null,
        c.quote ? h("q", {}, c.quote) : null,
      ),
    ),
  );
}

export function askPage(root: HTMLElement, params: URLSearchParams, onLeave: (cleanup: () => void) => void): void {
  const searchInput = h("input", { type: "search", id: "search-q", value: params.get("q") ?? "", size: 40 });
  const mode = h(
    "select",
    { id: "search-mode" },
    ...["HYBRID", "KEYWORD", "SEMANTIC"].map((m) => h("option", { value: m }, m.toLowerCase())),
  );
  const hits = h("div", { id: "search-results", "aria-live": "polite" });
  const question = h("input", { id: "ask-q", size: 50, placeholder: "Where does she look for the dragon?" });
  const answerBox = h("div", { id: "answer", "aria-live": "polite" });
  const prompt = h("input", { id: "draft-q", size: 50, placeholder: "a farewell at a harbour at dawn" });
  const draftBox = h("div", { id: "draft", "aria-live": "polite" });
  let endStream: (() => void) | undefined;
  onLeave(() => endStream?.());

  const runSearch = () =>
    fill(hits, async () => {
      const data = await gql<{ searchScenes: SearchHit[] }>(
        `query Search($q: String!, $mode: SearchMode!) { searchScenes(query: $q, mode: $mode, first: 20) {
          score highlights matchedBy scene { id index startTime endTime clip { id title } } } }`,
        { q: searchInput.value.trim(), mode: mode.value },
      );
      if (data.searchScenes.length === 0) return h("p", { class: "muted" }, "Nothing found.");
      return h(
        "ol",
        { class: "hits" },
        ...data.searchScenes.map((hit) =>
          h(
            "li",
            { "data-scene": hit.scene.id },
            citationLink(
              { clip: hit.scene.clip, scene: hit.scene, startTime: hit.scene.startTime },
              `${hit.scene.clip.title} · scene ${hit.scene.index + 1} · ${timecode(hit.scene.startTime)}`,
            ),
            h("span", { class: "muted" }, ` ${hit.matchedBy.join("+").toLowerCase()} ${hit.score.toFixed(3)}`),
            ...hit.highlights.map((t) => h("p", { class: "highlight" }, ...marked(t))),
          ),
        ),
      );
    });

  const runAsk = () => {
    endStream?.();
    const streamed = h("p", { class: "streaming", id: "answer-tokens" });
    answerBox.replaceChildren(loading("Retrieving…"), streamed);
    endStream = subscribe<{ answerStream: { type: string; token: string | null; answer: Answer | null } }>(
      `subscription Ask($q: String!) { answerStream(question: $q) { type token
        answer { text method model noRelevantScene citations { ${CITED} } } } }`,
      { q: question.value.trim() },
      ({ answerStream: e }) => {
        if (e.type === "TOKEN" && e.token) {
          answerBox.querySelector("[aria-busy]")?.remove();
          streamed.append(e.token);
        } else if (e.answer) answerBox.replaceChildren(answerView(e.answer));
      },
      (error) => answerBox.replaceChildren(errorBox(error)),
    );
  };

  const runDraft = () =>
    fill(draftBox, async () => {
      const data = await gql<{
        draftScene: { text: string; method: string; noRelevantScene: boolean; sources: Cited[] };
      }>(`query Draft($p: String!) { draftScene(prompt: $p) { text method noRelevantScene sources { ${CITED} } } }`, {
        p: prompt.value.trim(),
      });
      const d = data.draftScene;
      return h(
        "div",
        { "data-draft": "done", "data-sources": d.sources.length },
        h("pre", { class: "fountain", tabindex: 0, "aria-label": "the drafted scene" }, d.text),
        h(
          "p",
          { class: "muted" },
          `method: ${d.method}${d.noRelevantScene ? " · no relevant scene in the archive" : ""}`,
        ),
        h("h3", {}, "Sources"),
        d.sources.length > 0
          ? citationList(d.sources)
          : h("p", { class: "muted" }, "No scene of the archive was close enough to draw on."),
      );
    });

  const form = (
    id: string,
    label: string,
    input: HTMLElement,
    button: string,
    onSubmit: () => unknown,
    ...extra: Node[]
  ) =>
    h(
      "form",
      {
        class: "inline",
        id,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void onSubmit();
        },
      },
      h("label", { for: input.id }, label),
      input,
      ...extra,
      h("button", { type: "submit" }, button),
    );

  root.replaceChildren(
    h("h1", {}, "Ask & search"),
    h(
      "section",
      {},
      h("h2", {}, "Search scenes"),
      form("search-form", "Query", searchInput, "Search", runSearch, h("label", { for: "search-mode" }, "Mode"), mode),
      hits,
    ),
    h("section", {}, h("h2", {}, "Ask the archive"), form("ask-form", "Question", question, "Ask", runAsk), answerBox),
    h("section", {}, h("h2", {}, "Draft a scene"), form("draft-form", "Prompt", prompt, "Draft", runDraft), draftBox),
  );
  if (searchInput.value) void runSearch();
}

function answerView(a: Answer): HTMLElement {
  return h(
    "div",
    { "data-answer": "done" },
    h("p", { class: "answer-text" }, a.text),
    h("p", { class: "muted" }, `${a.method} · ${a.model}${a.noRelevantScene ? " · no relevant scene" : ""}`),
    a.citations.length > 0 ? citationList(a.citations) : null,
  );
}

/** Search highlights mark matches with <mark>..</mark>; shown as <mark> elements without injecting HTML. */
function marked(text: string): Node[] {
  return text.split(/(<mark>.*?<\/mark>)/g).map((part) => {
    const m = /^<mark>(.*)<\/mark>$/.exec(part);
    return m ? h("mark", {}, m[1] ?? "") : document.createTextNode(part);
  });
}
