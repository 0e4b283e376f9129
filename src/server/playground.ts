// The playground at GET /graphql in a browser: GraphiQL with its scripts, styles and workers inlined by
// @graphql-yoga/render-graphiql (no CDN: works offline), subscriptions over graphql-ws, example operations
// preloaded. Rendered once, served gzipped when the browser accepts it, under a CSP that forbids any
// other origin, so nothing can be fetched from outside even by accident.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { packageRoot } from "../store/schema-engine.js";

/** Analysis examples are the files in examples/queries (checked against the schema by the tests). */
const ANALYSIS_EXAMPLES = [
  "search-and-draft.graphql",
  "ask.graphql",
  "emotion-arc.graphql",
  "style.graphql",
  "themes.graphql",
  "analysis-completed.graphql",
  "answer-stream.graphql",
];

export function analysisExamples(): Array<{ title: string; query: string; variables?: string }> {
  const dir = path.join(packageRoot(), "examples", "queries");
  return ANALYSIS_EXAMPLES.filter((f) => existsSync(path.join(dir, f))).map((f) => ({
    title: f.replace(/\.graphql$/, ""),
    query: readFileSync(path.join(dir, f), "utf8"),
  }));
}

/** The preset path of the Ingest tab: a file in the first media root, so that the mutation is accepted. */
function presetClipPath(mediaRoots: readonly string[] | undefined): { comment: string; path: string } {
  const root = mediaRoots?.[0];
  if (root)
    return {
      comment: `Paths must be inside CINERAG_MEDIA_ROOTS (${mediaRoots.join(", ")}).`,
      path: path.join(root, "film.mkv"),
    };
  return {
    comment: "CINERAG_MEDIA_ROOTS is not set: the server refuses ingestClip until it names the folders it may read.",
    path: "/srv/media/film.mkv",
  };
}

/** The built-in tabs (GraphiQL titles a tab by its operation's name: comments name tabs that way). */
export function exampleOperations(
  mediaRoots?: readonly string[],
): Array<{ title: string; query: string; variables?: string }> {
  const preset = presetClipPath(mediaRoots);
  return [
    {
      title: "Clips",
      query: `# Clips that are READY, with their scenes and what is said in them.
query Clips {
  clips(first: 10) {
    totalCount
    edges {
      cursor
      node {
        id
        title
        duration
        tracks { nodes { language codec } }
        scenes(first: 5) {
          totalCount
          nodes {
            startTime
            endTime
            cues(first: 3) { nodes { startTime endTime text speaker } }
            keyframes(first: 1) { nodes { url brightness palette { hex share } } }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
    },
    {
      title: "Dialogue in a time range",
      query: `# Cues between 0:30 and 2:00 (overlap), in English.
query Dialogue($clipIds: [ID!], $from: Float = 30, $to: Float = 120) {
  cues(first: 50, filter: { clipIds: $clipIds, startTime: $from, endTime: $to, language: "en" }) {
    totalCount
    nodes { startTime endTime speaker text scene { id startTime endTime } }
  }
}
`,
      variables: `{ "clipIds": null }`,
    },
    {
      title: "Cuts and dissolves",
      query: `query Transitions {
  shots(first: 50, filter: { transitions: [DISSOLVE, FADE] }) {
    totalCount
    nodes { startTime endTime transition transitionStart keyframe { url colourfulness } }
  }
}
`,
    },
    {
      title: "Ingest a clip",
      query: `# ${preset.comment}
# Then copy the job's id into the JobProgress tab and run it there.
mutation Ingest($path: String!) {
  ingestClip(input: { path: $path }) { id status }
}
`,
      variables: JSON.stringify({ path: preset.path }),
    },
    {
      title: "Job progress",
      query: `# GraphiQL runs one operation at a time (graphql/graphiql#2909): running another tab ends this
# subscription. Keep it in a browser tab of its own (open /graphql twice), or watch it live on the dashboard (/).
subscription JobProgress($jobId: ID!) {
  jobProgress(jobId: $jobId) { status stage stagePercent percent message final clip { id title } }
}
`,
      variables: `{ "jobId": "" }`,
    },
    {
      title: "Clip updates",
      query: `# GraphiQL runs one operation at a time (graphql/graphiql#2909): running another tab ends this
# subscription. Keep it in a browser tab of its own (open /graphql twice), or watch it live on the dashboard (/).
subscription ClipUpdates {
  clipUpdated { change clipId at clip { title duration } }
}
`,
    },
  ];
}

export const EXAMPLE_OPERATIONS = exampleOperations();

export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
].join("; ");

export class Playground {
  private html: Buffer | undefined;
  private gzipped: Buffer | undefined;

  constructor(private readonly options: { endpoint: string; keysRequired: boolean; mediaRoots?: readonly string[] }) {}

  page(gzip: boolean): { body: Buffer; encoding?: "gzip" } {
    this.html ??= Buffer.from(
      renderGraphiQL({
        title: "cinerag",
        endpoint: this.options.endpoint,
        subscriptionsProtocol: "WS",
        defaultTabs: [...exampleOperations(this.options.mediaRoots), ...analysisExamples()].map((op) => ({
          query: op.query,
          variables: op.variables ?? null,
          headers: this.options.keysRequired ? `{ "x-api-key": "" }` : null,
        })),
        headers: this.options.keysRequired ? `{ "x-api-key": "" }` : undefined,
        defaultEditorToolsVisibility: true,
        isHeadersEditorEnabled: true,
      }),
      "utf8",
    );
    if (!gzip) return { body: this.html };
    this.gzipped ??= gzipSync(this.html);
    return { body: this.gzipped, encoding: "gzip" };
  }
}
