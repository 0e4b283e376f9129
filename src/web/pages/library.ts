// Library: every clip with its thumbnail, duration, status, languages and subtitle sources; ingest jobs
// with live progress (jobProgress over graphql-ws) and cancel; a title filter and a search box.
import { gql, subscribe, type ApiError } from "../api.js";
import { duration, errorBox, fill, h, loading } from "../ui.js";
import type { Viewer } from "./types.js";

interface ClipRow {
  id: string;
  title: string;
  duration: number;
  status: string;
  error: string | null;
  width: number;
  height: number;
  keyframes: { nodes: { url: string }[] };
  tracks: { nodes: { language: string | null; source: string; codec: string; skipped: boolean }[] };
}
interface ClipPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: ClipRow[];
}
interface JobRow {
  id: string;
  status: string;
  percent: number;
  stage: string | null;
  message: string | null;
  error: string | null;
  path: string | null;
  clip: { id: string; title: string } | null;
}

// Page size and nested counts keep the query inside the server's default cost limit.
const CLIPS = `query Library($filter: ClipFilter, $after: String) {
  clips(first: 40, filter: $filter, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id title duration status error width height
      keyframes(first: 1) { nodes { url } }
      tracks(first: 8) { nodes { language source codec skipped } } }
  }
}`;
const JOBS = `query Jobs { jobs(first: 20) { nodes { id status percent stage message error path clip { id title } } } }`;
const PROGRESS = `subscription Progress($jobId: ID!) {
  jobProgress(jobId: $jobId) { jobId status percent stage message error final clip { id title } }
}`;
const ACTIVE = new Set(["QUEUED", "RUNNING"]);

export function libraryPage(root: HTMLElement, viewer: Viewer, onLeave: (cleanup: () => void) => void): void {
  const clipsBox = h("div", { id: "clips", "aria-live": "polite" });
  const jobsBox = h("div", { id: "jobs" });
  const filter = h("input", { type: "search", id: "clip-filter", placeholder: "title contains…" });
  const search = h("input", { type: "search", id: "library-search", placeholder: "search the dialogue…" });
  const subscriptions = new Map<string, () => void>();
  onLeave(() => subscriptions.forEach((end) => end()));

  const loadClips = () =>
    fill(clipsBox, async () => {
      const filterArg = { status: ["READY", "INGESTING", "FAILED"], titleContains: filter.value.trim() || undefined };
      const page = (after: string | null) => gql<{ clips: ClipPage }>(CLIPS, { filter: filterArg, after });
      const first = (await page(null)).clips;
      const grid = clipGrid(first.nodes, first.totalCount);
      let cursor = first.pageInfo;
      const more = h("button", { type: "button", id: "more-clips", hidden: !cursor.hasNextPage }, "Show more");
      more.addEventListener("click", () => {
        void page(cursor.endCursor).then(
          ({ clips }) => {
            grid.querySelector("ul")?.append(...clipCards(clips.nodes));
            cursor = clips.pageInfo;
            more.hidden = !cursor.hasNextPage;
          },
          (error: unknown) => more.replaceWith(errorBox(error)),
        );
      });
      return h("div", {}, grid, more);
    });
  const loadJobs = () =>
    fill(jobsBox, async () => {
      const data = await gql<{ jobs: { nodes: JobRow[] } }>(JOBS);
      for (const job of data.jobs.nodes) if (ACTIVE.has(job.status)) follow(job.id);
      return jobList(data.jobs.nodes, viewer, cancel);
    });
  const follow = (jobId: string) => {
    if (subscriptions.has(jobId)) return;
    const end = subscribe<{ jobProgress: JobRow & { jobId: string; final: boolean } }>(
      PROGRESS,
      { jobId },
      ({ jobProgress: p }) => {
        const row = jobsBox.querySelector<HTMLElement>(`[data-job="${CSS.escape(p.jobId)}"]`);
        if (row) updateJobRow(row, p);
        if (p.final) {
          subscriptions.get(jobId)?.();
          subscriptions.delete(jobId);
          void loadClips();
        }
      },
      (error: ApiError) => jobsBox.prepend(errorBox(error)),
    );
    subscriptions.set(jobId, end);
  };
  const cancel = async (jobId: string) => {
    try {
      await gql(`mutation Cancel($id: ID!) { cancelJob(id: $id) { id status } }`, { id: jobId });
    } catch (error) {
      jobsBox.prepend(errorBox(error));
    }
  };

  filter.addEventListener(
    "input",
    debounce(() => void loadClips(), 250),
  );
  const searchForm = h(
    "form",
    {
      class: "inline",
      role: "search",
      onsubmit: (e: Event) => {
        e.preventDefault();
        location.hash = `#/ask?q=${encodeURIComponent(search.value.trim())}`;
      },
    },
    h("label", { for: "library-search" }, "Search"),
    search,
    h("button", { type: "submit" }, "Search"),
  );

  root.replaceChildren(
    ...[
      h("h1", {}, "Library"),
      h("div", { class: "toolbar" }, h("label", { for: "clip-filter" }, "Filter"), filter, searchForm),
      viewer.canIngest ? ingestForm(viewer, follow, loadJobs) : null,
      h("h2", {}, "Clips"),
      clipsBox,
      h("h2", {}, "Jobs"),
      jobsBox,
    ].filter((n): n is HTMLElement => n !== null),
  );
  void loadClips();
  void loadJobs();
}

function clipGrid(clips: ClipRow[], total: number): HTMLElement {
  if (clips.length === 0)
    return h("p", { class: "muted" }, "No clips yet. Ingest one with ", h("code", {}, "cinerag ingest <file>"), ".");
  return h(
    "div",
    {},
    h("p", { class: "muted" }, `${total} clip${total === 1 ? "" : "s"}`),
    h("ul", { class: "clip-grid" }, ...clipCards(clips)),
  );
}

function clipCards(clips: ClipRow[]): HTMLElement[] {
  return clips.map((c) => {
    const thumb = c.keyframes.nodes[0]?.url;
    const tracks = c.tracks.nodes.filter((t) => !t.skipped);
    const languages = [...new Set(tracks.map((t) => t.language).filter(Boolean))];
    const sources = [...new Set(tracks.map((t) => t.source))];
    return h(
      "li",
      { class: "clip-card", "data-clip": c.id, "data-status": c.status },
      h(
        "a",
        { href: `#/clip/${encodeURIComponent(c.id)}` },
        thumb
          ? h("img", { src: thumb, alt: `keyframe of ${c.title}`, loading: "lazy", width: 240, height: 135 })
          : h("div", { class: "no-thumb" }, "no keyframe"),
        h("strong", {}, c.title),
      ),
      h("span", { class: `status status-${c.status.toLowerCase()}` }, c.status),
      h("span", {}, `${duration(c.duration)} · ${c.width}×${c.height}`),
      h(
        "span",
        { class: "muted", "data-languages": languages.join(","), "data-sources": sources.join(",") },
        `${languages.join(", ") || "no language"} · ${sources.join(", ") || "no subtitles"}`,
      ),
      c.error ? h("p", { class: "error" }, c.error) : null,
    );
  });
}

function jobList(jobs: JobRow[], viewer: Viewer, cancel: (id: string) => Promise<void>): HTMLElement {
  if (jobs.length === 0) return h("p", { class: "muted" }, "No jobs.");
  return h(
    "ul",
    { class: "jobs" },
    ...jobs.map((j) => {
      const row = h(
        "li",
        { "data-job": j.id },
        h("span", { class: "job-title" }, j.clip?.title ?? j.path ?? j.id),
        " ",
        h("progress", { max: 100, value: j.percent, "aria-label": "progress" }),
        " ",
        h("span", { class: "job-state" }),
        viewer.canIngest && ACTIVE.has(j.status)
          ? h("button", { type: "button", class: "cancel", onclick: () => void cancel(j.id) }, "Cancel")
          : null,
      );
      updateJobRow(row, j);
      return row;
    }),
  );
}

function updateJobRow(row: HTMLElement, j: Pick<JobRow, "status" | "percent" | "stage" | "message" | "error">) {
  row.dataset.status = j.status;
  const bar = row.querySelector("progress");
  if (bar) bar.value = j.percent;
  const state = row.querySelector(".job-state");
  if (state)
    state.textContent = `${j.status} ${Math.round(j.percent)}%${j.stage ? ` · ${j.stage}` : ""}${j.error ? ` · ${j.error}` : j.message ? ` · ${j.message}` : ""}`;
  if (!ACTIVE.has(j.status)) row.querySelector(".cancel")?.remove();
}

function ingestForm(viewer: Viewer, follow: (jobId: string) => void, reloadJobs: () => Promise<void>): HTMLElement {
  const path = h("input", { id: "ingest-path", required: true, placeholder: "/films/clip.mkv", size: 40 });
  const title = h("input", { id: "ingest-title", placeholder: "optional" });
  const result = h("div", { "aria-live": "polite" });
  const submit = async () => {
    result.replaceChildren(loading("Queuing…"));
    try {
      const data = await gql<{ ingestClip: { id: string } }>(
        `mutation Ingest($input: IngestClipInput!) { ingestClip(input: $input) { id status } }`,
        { input: { path: path.value.trim(), title: title.value.trim() || undefined } },
      );
      result.replaceChildren(h("p", { class: "muted" }, "Queued."));
      await reloadJobs();
      follow(data.ingestClip.id);
    } catch (error) {
      result.replaceChildren(errorBox(error));
    }
  };
  return h(
    "form",
    {
      class: "ingest",
      onsubmit: (e: Event) => {
        e.preventDefault();
        void submit();
      },
    },
    h("h2", {}, "Ingest a file"),
    viewer.mediaRootsConfigured
      ? null
      : h("p", { class: "muted" }, "The server has no media roots (CINERAG_MEDIA_ROOTS): ingest will be refused."),
    h("label", { for: "ingest-path" }, "Path on the server"),
    path,
    h("label", { for: "ingest-title" }, "Title"),
    title,
    h("button", { type: "submit" }, "Ingest"),
    result,
  );
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
