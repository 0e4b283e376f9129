// The dashboard in real Chromium (Debian's, driven by playwright-core) against a real `cinerag serve` over
// generated clips: the library, an ingest started from the page, the clip page's timeline and charts
// (their point counts checked against the GraphQL tables), CSV, SVG and PNG export, search, ask with
// citations, draftScene with its sources, compare, live refresh on analysisCompleted, a dropped WebSocket
// that says so and comes back, API keys (a reader sees no ingest or cancel controls), errors shown in place
// with their code, keyboard and labels, contrast, 1280x800; no request leaves 127.0.0.1 and no console
// error. Screenshots (and two exported PNGs) go to test-artifacts/dashboard/.
// Skipped, with the reason, where /usr/bin/chromium is missing (`.ci/run` installs it).
import { existsSync } from "node:fs";
import type { Socket } from "node:net";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import sharp from "sharp";
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

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** A PNG's signature and the IHDR chunk's width and height (big-endian, bytes 16..23). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString("ascii")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Accessible basics of whatever the page shows now: every form control has a label, every button and link a
 * name, every image an alt, text contrast of at least 4.5:1 (WCAG AA) against its background, and nothing
 * wider than the 1280x800 window.
 */
async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const brief = (el: Element) => el.outerHTML.slice(0, 100);
    for (const el of document.querySelectorAll<HTMLInputElement>("input, select, textarea")) {
      if (el.type === "hidden") continue;
      if ((el.labels?.length ?? 0) === 0 && !el.getAttribute("aria-label")) problems.push(`no label: ${brief(el)}`);
    }
    for (const el of document.querySelectorAll<HTMLElement>("button, a[href], [role=button]")) {
      const name =
        el.getAttribute("aria-label") ?? (el.textContent?.trim() || el.querySelector("img[alt]")?.getAttribute("alt"));
      if (!name?.trim() && !el.hidden) problems.push(`no accessible name: ${brief(el)}`);
    }
    for (const img of document.querySelectorAll("img"))
      if (!img.hasAttribute("alt")) problems.push(`no alt: ${brief(img)}`);
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const lin = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c.length >= 3 && (c[3] ?? 1) > 0.5) return c;
      }
      return [255, 255, 255];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const checked = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || checked.has(el) || !n.textContent?.trim() || el.closest("svg, [hidden], .skip")) continue;
      checked.add(el);
      if (el.getClientRects().length === 0) continue;
      const fg = luminance(rgb(getComputedStyle(el).color));
      const bg = luminance(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${brief(el)}`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth)
      problems.push(`wider than the window: ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
    return problems;
  });
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

    // every status the new job's row goes through, as the page shows it; the rows already listed (the job
    // that ingested clip B, SUCCEEDED before the page opened) are left out, or waiting for "a SUCCEEDED row"
    // would end at once on the old one
    await page.locator("[data-job]").first().waitFor();
    const before = await page
      .locator("[data-job]")
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.job));
    expect(before.length).toBeGreaterThan(0);
    await page.evaluate((old: (string | undefined)[]) => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll<HTMLElement>("[data-job]")) {
          if (old.includes(el.dataset.job)) continue;
          const s = `${el.dataset.status}:${el.querySelector("progress")?.value ?? ""}`;
          if (seen.at(-1) !== s) seen.push(s);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    }, before);
    await page.fill("#ingest-path", clipA);
    await page.fill("#ingest-title", "Harbour");
    await page.click(".ingest button[type=submit]");
    const fresh = before.map((id) => `:not([data-job="${id}"])`).join("");
    await page.locator(`[data-job]${fresh}[data-status="SUCCEEDED"]`).waitFor({ timeout: 90_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.some((s) => s.startsWith("RUNNING"))).toBe(true);
    expect(seen.at(-1)).toMatch(/^SUCCEEDED:100/);
    const card = page.locator('.clip-card:has-text("Harbour")');
    await card.waitFor();
    expect(await card.getAttribute("data-status")).toBe("READY");
    expect(await card.locator("[data-sources]").getAttribute("data-sources")).toBe("EMBEDDED");
    expect(await accessibilityProblems(page)).toEqual([]);
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
    // the exported SVG is the chart (three series drawn as lines), not one of its legend's swatches
    const chartSvg = page.locator('[data-chart="visual"] figure > svg');
    const chartWidth = Number(await chartSvg.getAttribute("width"));
    const chartHeight = Number(await chartSvg.getAttribute("height"));
    expect(chartWidth).toBeGreaterThan(300);
    const svgText = await readFile(await svgDownload.path(), "utf8");
    expect(svgText).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toMatch(new RegExp(`^<svg[^>]* width="${chartWidth}"`));
    expect(svgText).toContain(">contrast</text>"); // the legend, drawn into the SVG
    expect((svgText.match(/<path[^>]+stroke=/g) ?? []).length).toBeGreaterThanOrEqual(3);

    // PNG export, made offline from the SVG on a canvas: a real PNG at twice the chart's size
    for (const chart of ["emotion-scenes", "palette"]) {
      const [pngDownload] = await Promise.all([
        page.waitForEvent("download"),
        page.click(`[data-chart="${chart}"] [data-export="png"]`),
      ]);
      expect(pngDownload.suggestedFilename()).toMatch(new RegExp(`-${chart}\\.png$`));
      await pngDownload.saveAs(path.join(ARTIFACTS, `export-${chart}.png`));
      const bytes = await readFile(await pngDownload.path());
      const png = pngSize(bytes);
      const drawn = page.locator(`[data-chart="${chart}"] figure > svg`);
      expect(png.width, chart).toBe(2 * Number(await drawn.getAttribute("width")));
      expect(png.height, chart).toBeGreaterThanOrEqual(2 * Number(await drawn.getAttribute("height")));
      // and it decodes to a picture, not a blank canvas: dark ink and coloured marks on the white
      const stats = await sharp(bytes).stats();
      expect(Math.min(...stats.channels.slice(0, 3).map((c) => c.min)), chart).toBeLessThan(100);
      expect(Math.max(...stats.channels.slice(0, 3).map((c) => c.stdev)), chart).toBeGreaterThan(20);
    }
    expect(chartHeight).toBeGreaterThan(0);

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
    // keyboard: the skip link comes first in the tab order (before the header), moves the focus to the
    // content and stays on this page (the router must not take "#main" for a route)
    const url = page.url();
    await page.locator("header .brand").focus();
    await page.keyboard.press("Shift+Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    expect(page.url()).toBe(url);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "clip");
    // laptop screens (1366x768, the most common, and 1440x900): the same checks, nothing wider than the
    // window, and every chart still drawn at a usable width
    for (const viewport of [
      { width: 1366, height: 768 },
      { width: 1440, height: 900 },
    ]) {
      await page.setViewportSize(viewport);
      expect(await accessibilityProblems(page)).toEqual([]);
      const widths = await page
        .locator("figure svg, .chart svg")
        .evaluateAll((svgs) => svgs.map((s) => s.getBoundingClientRect().width));
      expect(widths.length).toBeGreaterThan(0);
      for (const width of widths) expect(width).toBeLessThanOrEqual(viewport.width);
      await shoot(page, `clip-${viewport.width}x${viewport.height}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expectClean(w);
  });

  it("searches with highlights and asks with citations that jump to the cited scene", async () => {
    const w = await openPage(browser, `${t.origin}/#/ask?q=harbour`);
    const { page } = w;
    const hit = page.locator("#search-results li").first();
    await hit.waitFor();
    expect(await hit.locator("mark").first().textContent()).toMatch(/harbour/i);

    // asked from the keyboard: type into the labelled box and press Enter
    await page.getByLabel("Question").focus();
    await page.keyboard.type("Where were you last night?");
    await page.keyboard.press("Enter");
    const answer = page.locator('[data-answer="done"]');
    await answer.waitFor({ timeout: 60_000 });
    const citation = answer.locator("a.citation").first();
    await citation.waitFor();
    const scene = await citation.getAttribute("data-scene");
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "ask");
    await citation.click();
    await page.locator("svg.timeline").waitFor();
    expect(page.url()).toMatch(/#\/clip\/.+\?t=/);
    expect(scene).toBeTruthy();
    // the cited scene is the one shown and marked on the timeline
    await page.locator(`[data-detail="scene"][data-scene="${scene}"]`).waitFor();
    expect(await page.locator(`svg.timeline rect.scene.selected`).getAttribute("data-scene")).toBe(scene);
    expectClean(w);
  });

  it("drafts a scene with its sources (draftScene), and a source opens the cited scene", async () => {
    const prompt = "The ship leaves at dawn and we sail without him";
    const w = await openPage(browser, `${t.origin}/#/ask`);
    const { page } = w;
    // an empty prompt: the API's refusal, with its code, in the draft panel
    await page.click("#draft-form button[type=submit]");
    const refused = page.locator("#draft .error");
    await refused.waitFor();
    expect(await refused.getAttribute("data-code")).toBe("BAD_USER_INPUT");
    expect(await refused.textContent()).toMatch(/prompt/i);

    await page.fill("#draft-q", prompt);
    await page.click("#draft-form button[type=submit]");
    const draft = page.locator('[data-draft="done"]');
    await draft.waitFor({ timeout: 60_000 });
    const { draftScene } = await gql<{
      draftScene: { text: string; noRelevantScene: boolean; sources: { scene: { id: string } }[] };
    }>(`query($p: String!) { draftScene(prompt: $p) { text noRelevantScene sources { scene { id } } } }`, {
      p: prompt,
    });
    expect(draftScene.noRelevantScene).toBe(false);
    expect(draftScene.sources.length).toBeGreaterThan(0);
    expect((await draft.locator("pre.fountain").textContent())?.trim()).toBe(draftScene.text.trim());
    const sources = draft.locator("ol.citations a.citation");
    expect(await sources.count()).toBe(draftScene.sources.length);
    expect(await sources.evaluateAll((as) => as.map((a) => a.getAttribute("data-scene")))).toEqual(
      draftScene.sources.map((x) => x.scene.id),
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "draft");
    const cited = draftScene.sources[0]!.scene.id;
    await sources.first().click();
    await page.locator(`[data-detail="scene"][data-scene="${cited}"]`).waitFor();
    expect(await page.locator(`svg.timeline rect.scene.selected`).getAttribute("data-scene")).toBe(cited);
    w.errors = w.errors.filter((e) => !/status of 400/.test(e));
    expectClean(w);
  });

  it("says when the WebSocket drops, reconnects by itself, and the live view resumes", async () => {
    // every upgraded socket the server accepts, so the test can drop them as a network failure would
    const sockets = new Set<Socket>();
    const track = (_req: unknown, socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    };
    t.server.httpServer.on("upgrade", track);
    try {
      const w = await openPage(browser, `${t.origin}/#/clip/${encodeURIComponent(clipBId)}`);
      const { page } = w;
      const indicator = page.locator("#connection");
      await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 20_000 });
      expect(await indicator.textContent()).toBe("live");
      await page.locator('[data-chart="dialogue-pace"]').waitFor();
      await page.evaluate(() => {
        const el = document.querySelector("#connection")!;
        const seen: string[] = [];
        (window as unknown as { connectionSeen: string[] }).connectionSeen = seen;
        new MutationObserver(() => {
          const s = `${(el as HTMLElement).dataset.state}:${el.textContent}`;
          if (seen.at(-1) !== s) seen.push(s);
        }).observe(el, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      expect(sockets.size).toBeGreaterThan(0);
      for (const socket of sockets) socket.destroy(); // no close frame: the browser sees 1006

      await page.locator('#connection[data-state="restored"]').waitFor({ timeout: 20_000 });
      expect(await indicator.textContent()).toBe("live again");
      const seen = await page.evaluate(() => (window as unknown as { connectionSeen: string[] }).connectionSeen);
      expect(seen[0]).toBe("reconnecting:reconnecting…");
      expect(seen.at(-1)).toBe("restored:live again");
      await shoot(page, "reconnected");

      // the analysisCompleted subscription came back with the socket: a result computed now reaches the page.
      // The indicator turns at the server's connection_ack, a moment before it has the subscription again, so
      // the result is asked for again until it arrives.
      const note = page.locator("#live-note");
      expect(await note.textContent()).toBe("");
      await expect
        .poll(
          async () => {
            await gql(
              `query($scope: AnalysisScopeInput) { emotionAnalysis(scope: $scope, resolution: SCENE, refresh: true) { run { id } } }`,
              { scope: { clipIds: [clipBId] } },
            );
            await page.waitForTimeout(300);
            return note.textContent();
          },
          { timeout: 20_000, interval: 200 },
        )
        .toMatch(/emotion result arrived/);
      // and after a few seconds the header settles back to plain "live"
      await page.locator('#connection[data-state="connected"]').waitFor({ timeout: 10_000 });
      expectClean(w);
    } finally {
      t.server.httpServer.off("upgrade", track);
    }
  });

  it("compares two clips on style metrics and emotion distribution", async () => {
    const w = await openPage(browser, `${t.origin}/#/compare`);
    const { page } = w;
    const panel = page.locator('[data-chart="compare-cutsPerMinute"]');
    await panel.waitFor({ timeout: 30_000 });
    expect(Number(await panel.getAttribute("data-points"))).toBe(2);
    expect(Number(await page.locator('[data-chart="compare-emotion"]').getAttribute("data-points"))).toBe(2);
    expect(await page.locator("table.data tbody tr").count()).toBe(2);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "compare");
    // the check itself sees what it is meant to: an unlabelled input, a nameless button, faint text, overflow
    await page.evaluate(() => {
      const probe = document.createElement("div");
      probe.id = "a11y-probe";
      probe.innerHTML = `<input id="probe-input"><button type="button"></button><img src="data:,">
        <p style="color:#bbb;background:#fff">faint</p><div style="width:3000px">wide</div>`;
      document.querySelector("main")!.append(probe);
    });
    const found = await accessibilityProblems(page);
    expect(found.map((p) => p.split(":")[0])).toEqual([
      "no label",
      "no accessible name",
      "no alt",
      expect.stringMatching(/^contrast 1\.\d\d$/),
      "wider than the window",
    ]);
    await page.evaluate(() => document.querySelector("#a11y-probe")!.remove());
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
  let media: string;
  let jobId: string;
  beforeAll(async () => {
    media = await tempDir("cinerag-dashboard-keys-");
    await writeFile(path.join(media, "queued.mkv"), "not a film: the job never runs");
    t = await startTestServer({
      CINERAG_API_KEYS: "reader:reader-key-123456,editor:editor-key-123456",
      CINERAG_MEDIA_ROOTS: media,
    });
    // the runner is stopped, so the job stays QUEUED: an editor sees its cancel button, a reader must not
    await t.app.jobs.stop();
    const queued = await t.gql<{ ingestClip: { id: string; status: string } }>(
      `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id status } }`,
      { input: { path: path.join(media, "queued.mkv") } },
      { "x-api-key": "editor-key-123456" },
    );
    expect(queued.body.errors).toBeUndefined();
    expect(queued.body.data!.ingestClip.status).toBe("QUEUED");
    jobId = queued.body.data!.ingestClip.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await rm(media, { recursive: true, force: true });
  });

  const signIn = async (key: string): Promise<Watched> => {
    const w = await openPage(browser, `${t.origin}/`);
    await w.page.locator("#api-key").waitFor();
    await w.page.fill("#api-key", key);
    await w.page.click(".key-form button[type=submit]");
    await w.page.locator("h1:has-text('Library')").waitFor();
    await w.page.locator(`[data-job="${jobId}"]`).waitFor();
    return w;
  };
  const expectLocal = (w: Watched) => {
    const foreign = w.requests.filter((u) => !u.startsWith(t.origin) && !/^(data|blob):/.test(u));
    expect(foreign).toEqual([]);
  };

  it("shows an editor the ingest form and the cancel button of a queued job", async () => {
    const w = await signIn("editor-key-123456");
    expect(await w.page.locator(".ingest").count()).toBe(1);
    expect(await w.page.locator(`[data-job="${jobId}"] button.cancel`).count()).toBe(1);
    expect(await w.page.evaluate(() => document.body.dataset.role)).toBe("editor");
    expect(w.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    expectLocal(w);
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
    // the queued job is listed, without the controls a reader cannot use
    await page.locator(`[data-job="${jobId}"][data-status="QUEUED"]`).waitFor();
    expect(await page.evaluate(() => document.body.dataset.role)).toBe("reader");
    expect(await page.locator(".ingest").count()).toBe(0);
    expect(await page.locator("button.cancel").count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, "library-reader");
    expect(await page.evaluate(() => sessionStorage.getItem("cinerag.apiKey"))).toBe("reader-key-123456");
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    w.errors = w.errors.filter((e) => !/status of 401/.test(e));
    expect(w.errors).toEqual([]);
    expectLocal(w);
  });
});
