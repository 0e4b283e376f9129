// The dashboard in real Chromium (Debian's, driven by playwright-core) against a real `cinerag serve` over
// generated clips: the library, an ingest started from the page, the clip page's timeline and charts
// (their point counts checked against the GraphQL tables), CSV export, search, ask with citations,
// compare, live refresh on analysisCompleted, API keys (a reader sees no ingest controls), errors shown in
// place; no request leaves 127.0.0.1 and no console error. Screenshots go to test-artifacts/dashboard/.
// Skipped, with the reason, where /usr/bin/chromium is missing (`.ci/run` installs it).
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClip, tempDir, threeSceneSpec } from "../../fixtures/media.js";
import { startTestServer, type TestServer } from "../graphql/helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available)
  console.warn(`skipping the dashboard browser tests: ${CHROMIUM} is not installed (apt-get install chromium)`);
const ARTIFACTS = path.resolve("test-artifacts/dashboard");

interface Table {
  name: string;
  columns: string[];
  rows: unknown[][];
}

/** A page that records every request, console error and uncaught exception. */
interface Watched {
  page: Page;
  requests: string[];
  errors: string[];
}

async function openPage(browser: Browser, url: string): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const watched: Watched = { page, requests: [], errors: [] };
  page.on("request", (r) => watched.requests.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") watched.errors.push(m.text());
  });
  page.on("pageerror", (e) => watched.errors.push(e.message));
  await page.goto(url);
  return watched;
}

/** RFC 4180 parse (quotes, doubled quotes, CRLF), enough for the exports. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else if (ch !== "\r") cell += ch;
  }
  return rows;
}

const cellText = (v: unknown): string =>
  v === null || v === undefined
    ? ""
    : typeof v === "string" || typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : JSON.stringify(v);

describe.skipIf(!available)("dashboard in headless Chromium", () => {
  let t: TestServer;
  let media: string;
  let browser: Browser;
  let clipA: string;
  let clipBId: string;
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const body = (await t.gql(query, variables)).body as { errors?: unknown; data: T };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  const shoot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    media = await tempDir("cinerag-dashboard-media-");
    const a = threeSceneSpec("harbour");
    const b = threeSceneSpec("second");
    b.spec.shots = b.spec.shots.slice(0, 8); // a different clip (other content hash), two scenes
    b.spec.subtitles![0]!.cues = b.cues.filter((c) => c.end < 21);
    [clipA] = await Promise.all([generateClip(media, a.spec), generateClip(media, b.spec)]);
    t = await startTestServer({ CINERAG_MEDIA_ROOTS: media });
    // clip B is ingested through the API; clip A through the page (below)
    const job = await gql<{ ingestClip: { id: string } }>(
      `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }`,
      { input: { path: path.join(media, "second.mkv"), title: "Second" } },
    );
    // wait in-process for the runner, then read the outcome once (no HTTP polling while it works)
    await t.app.jobs.idle();
    const { job: j } = await gql<{ job: { status: string; clip: { id: string } | null; error: string | null } }>(
      `query($id: ID!) { job(id: $id) { status error clip { id } } }`,
      { id: job.ingestClip.id },
    );
    expect(j.status, j.error ?? "").toBe("SUCCEEDED");
    clipBId = j.clip!.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await rm(media, { recursive: true, force: true });
  });

  function expectClean(w: Watched): void {
    expect(w.errors).toEqual([]);
    const foreign = w.requests.filter((u) => !u.startsWith(t.origin) && !/^(data|blob):/.test(u));
    expect(foreign).toEqual([]);
  }

  it("lists the clips, ingests a file from the page with live progress, and shows it READY", async () => {
    const w = await openPage(browser, `${t.origin}/`);
    const { page } = w;
    await page.locator(`[data-clip="${clipBId}"]`).waitFor();
    const total = (await gql<{ clips: { totalCount: number } }>(`{ clips { totalCount } }`)).clips.totalCount;
    expect(await page.locator(".clip-card").count()).toBe(total);
    await expect
      .poll(() => page.locator(`[data-clip="${clipBId}"] img`).evaluate((i: HTMLImageElement) => i.naturalWidth))
      .toBeGreaterThan(0);

    // every status the job row goes through, as the page shows it
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll<HTMLElement>("[data-job]")) {
          const s = `${el.dataset.status}:${el.querySelector("progress")?.value ?? ""}`;
          if (seen.at(-1) !== s) seen.push(s);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.fill("#ingest-path", clipA);
    await page.fill("#ingest-title", "Harbour");
    await page.click(".ingest button[type=submit]");
    await page.locator('[data-job][data-status="SUCCEEDED"]').first().waitFor({ timeout: 90_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.some((s) => s.startsWith("RUNNING"))).toBe(true);
    expect(seen.at(-1)).toMatch(/^SUCCEEDED:100/);
    const card = page.locator('.clip-card:has-text("Harbour")');
    await card.waitFor();
    expect(await card.getAttribute("data-status")).toBe("READY");
    expect(await card.locator("[data-sources]").getAttribute("data-sources")).toBe("EMBEDDED");
    await shoot(page, "library");
    expectClean(w);
  });

  it("draws the clip page's timeline and every chart from the GraphQL tables; CSV export matches them", async () => {
    const { clips } = await gql<{ clips: { nodes: { id: string; title: string }[] } }>(
      `{ clips { nodes { id title } } }`,
    );
    const id = clips.nodes.find((c) => c.title === "Harbour")!.id;
    const counts = await gql<{ clip: Record<string, { totalCount: number }> }>(
      `query($id: ID!) { clip(id: $id) { shots { totalCount } scenes { totalCount } cues { totalCount } keyframes { totalCount } } }`,
      { id },
    );
    const tables = await gql<{ e: { tables: Table[] }; m: { tables: Table[] }; s: { tables: Table[] } }>(
      `query($scope: AnalysisScopeInput) {
        e: emotionAnalysis(scope: $scope, resolution: SCENE) { tables { name columns rows } }
        m: emotionAnalysis(scope: $scope, resolution: MINUTE) { tables { name columns rows } }
        s: styleAnalysis(scope: $scope, binSeconds: 60) { tables { name columns rows } } }`,
      { scope: { clipIds: [id] } },
    );
    const rowsOf = (list: Table[], name: string) => list.find((x) => x.name === name)!.rows.length;

    const w = await openPage(browser, `${t.origin}/#/clip/${encodeURIComponent(id)}`);
    const { page } = w;
    const timeline = page.locator("svg.timeline");
    await timeline.waitFor();
    expect(Number(await timeline.getAttribute("data-shots"))).toBe(counts.clip.shots!.totalCount);
    expect(await timeline.locator("rect.shot").count()).toBe(counts.clip.shots!.totalCount);
    expect(await timeline.locator("rect.scene").count()).toBe(counts.clip.scenes!.totalCount);
    expect(await timeline.locator("rect.cue").count()).toBe(counts.clip.cues!.totalCount);
    expect(counts.clip.scenes!.totalCount).toBe(3);

    await page.locator('[data-chart="dialogue-pace"]').waitFor();
    const expected: Record<string, number> = {
      "emotion-scenes": rowsOf(tables.e.tables, "arc"),
      "emotion-minutes": rowsOf(tables.m.tables, "arc"),
      "emotion-peaks": rowsOf(tables.e.tables, "peaks"),
      "shot-lengths": rowsOf(tables.s.tables, "shotLengths"),
      "cutting-rate": rowsOf(tables.s.tables, "cuttingRate"),
      visual: rowsOf(tables.s.tables, "visualBins"),
      palette: rowsOf(tables.s.tables, "visual"),
      "dialogue-pace": rowsOf(tables.s.tables, "dialogueBins"),
    };
    for (const [chart, n] of Object.entries(expected)) {
      const panel = page.locator(`[data-chart="${chart}"]`);
      expect(Number(await panel.getAttribute("data-points")), chart).toBe(n);
      if (chart !== "emotion-peaks" && n > 0) expect(await panel.locator("svg").count(), chart).toBeGreaterThan(0);
    }
    expect(expected["emotion-scenes"]).toBe(3);
    expect(await page.locator(".sheet img").count()).toBe(counts.clip.keyframes!.totalCount);

    // click a shot: its timecode, keyframe and lines
    await timeline.locator("rect.shot").nth(1).click();
    const detail = page.locator('[data-detail="shot"]');
    await detail.waitFor();
    expect(await detail.locator(".tc").first().textContent()).toMatch(/\d:\d\d\.\d{3} – \d:\d\d\.\d{3}/);
    await expect.poll(() => detail.locator("img").evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
    // the keyboard reaches the same details: focus a scene and press Enter
    await timeline.locator("rect.scene").first().focus();
    await page.keyboard.press("Enter");
    await page.locator('[data-detail="scene"]').waitFor();
    await timeline.locator("rect.cue").first().click();
    expect(await page.locator("#details .lines li").count()).toBeGreaterThan(0);

    // CSV export of the per-scene emotion arc is the GraphQL table, value for value
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click('[data-chart="emotion-scenes"] [data-export="csv"]'),
    ]);
    const csv = parseCsv(await readFile(await download.path(), "utf8"));
    const arc = tables.e.tables.find((x) => x.name === "arc")!;
    expect(csv[0]).toEqual(arc.columns);
    expect(csv.slice(1)).toEqual(arc.rows.map((r) => r.map(cellText)));
    const [svgDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.click('[data-chart="visual"] [data-export="svg"]'),
    ]);
    expect(await readFile(await svgDownload.path(), "utf8")).toMatch(
      /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );

    // live: a new analysis result for this clip redraws the charts without a reload
    await gql(
      `query($scope: AnalysisScopeInput) { styleAnalysis(scope: $scope, binSeconds: 30, refresh: true) { run { id } } }`,
      {
        scope: { clipIds: [id] },
      },
    );
    await expect
      .poll(() => page.locator("#live-note").textContent(), { timeout: 20_000 })
      .toMatch(/style result arrived/);
    await shoot(page, "clip");
    expectClean(w);
  });

  it("searches with highlights and asks with citations that jump to the cited scene", async () => {
    const w = await openPage(browser, `${t.origin}/#/ask?q=harbour`);
    const { page } = w;
    const hit = page.locator("#search-results li").first();
    await hit.waitFor();
    expect(await hit.locator("mark").first().textContent()).toMatch(/harbour/i);

    await page.fill("#ask-q", "Where were you last night?");
    await page.click("#ask-form button[type=submit]");
    const answer = page.locator('[data-answer="done"]');
    await answer.waitFor({ timeout: 60_000 });
    const citation = answer.locator("a.citation").first();
    await citation.waitFor();
    const scene = await citation.getAttribute("data-scene");
    await shoot(page, "ask");
    await citation.click();
    await page.locator("svg.timeline").waitFor();
    expect(page.url()).toMatch(/#\/clip\/.+\?t=/);
    await page.locator(`[data-detail="scene"], [data-detail="moment"]`).waitFor();
    expect(scene).toBeTruthy();
    expectClean(w);
  });

  it("compares two clips on style metrics and emotion distribution", async () => {
    const w = await openPage(browser, `${t.origin}/#/compare`);
    const { page } = w;
    const panel = page.locator('[data-chart="compare-cutsPerMinute"]');
    await panel.waitFor({ timeout: 30_000 });
    expect(Number(await panel.getAttribute("data-points"))).toBe(2);
    expect(Number(await page.locator('[data-chart="compare-emotion"]').getAttribute("data-points"))).toBe(2);
    expect(await page.locator("table.data tbody tr").count()).toBe(2);
    await shoot(page, "compare");
    expectClean(w);
  });

  it("shows a refused request's message and code where it happened", async () => {
    const w = await openPage(browser, `${t.origin}/`);
    const { page } = w;
    await page.fill("#ingest-path", "/etc/passwd");
    await page.click(".ingest button[type=submit]");
    const error = page.locator(".ingest .error");
    await error.waitFor();
    expect(await error.getAttribute("data-code")).toBe("FORBIDDEN");
    expect(await error.textContent()).toMatch(/media root/i);
    // the refused request logs a 4xx in the console: that is the browser reporting it, not a page error
    w.errors = w.errors.filter((e) => !/status of 4\d\d/.test(e));
    expectClean(w);
  });
});

describe.skipIf(!available)("dashboard with API keys", () => {
  let t: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestServer({ CINERAG_API_KEYS: "reader:reader-key-123456,editor:editor-key-123456" });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it("asks for a key, refuses a wrong one, and shows a reader no ingest controls", async () => {
    const w = await openPage(browser, `${t.origin}/`);
    const { page } = w;
    await page.locator("#api-key").waitFor();
    await page.fill("#api-key", "wrong-key-000000");
    await page.click(".key-form button[type=submit]");
    await page.locator(".key-form .error").waitFor();
    await page.fill("#api-key", "reader-key-123456");
    await page.click(".key-form button[type=submit]");
    await page.locator("h1:has-text('Library')").waitFor();
    expect(await page.locator(".ingest").count()).toBe(0);
    expect(await page.locator("button.cancel").count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem("cinerag.apiKey"))).toBe("reader-key-123456");
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    w.errors = w.errors.filter((e) => !/status of 401/.test(e));
    expect(w.errors).toEqual([]);
  });
});
