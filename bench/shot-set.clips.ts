// A wider generated shot set for `npm run bench:shots`: clips built differently from the test
// clips the detector was tuned on (test/fixtures/shot-clips.ts): shots are joined with ffmpeg's
// `xfade` (dissolves, fades through black and white, wipes in many directions, iris and clock
// wipes, slides) or `concat` (cuts), over many lavfi sources, at 20 to 60 fps, with per-clip noise
// and compression levels, flashes, fast pans, zooms and rotations, and cuts between two similar
// noisy textures.
//
// Two recipes, three splits:
//  - ORIGINAL (105 clips): of the first 45, every third clip (index % 3 === 2) is "validation" (it
//    was the held-out third until its figure had been seen); the rest are "tuning", and so are
//    clips 45 to 104, added as more tuning data after the fresh set was made.
//  - FRESH (18 clips, "heldout"): other seeds, other sources and textures, other fps, CRF, noise,
//    shot and transition lengths and transition variants, made before any further tuning. Never
//    look at it, nor at the validation clips, while tuning: only their aggregate figures.
//
// Everything is drawn from a seeded PRNG, so the specs are the same on every run; the encode is
// made reproducible too (`-threads 1` for libx264 and the filter graph; the `gradients` source gets
// explicit start points and colours, as Debian's ffmpeg 5.1 ignores its seed for them).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { MediaBinaries } from "../src/media/ffmpeg/binaries.js";
import { mulberry32 } from "../src/util/prng.js";

const run = promisify(execFile);

export type TruthKind = "CUT" | "DISSOLVE" | "FADE" | "WIPE";

/** a transition: "cut", or an xfade transition name with its length in frames */
export type Join = { kind: "cut" } | { kind: "xfade"; name: string; frames: number };

export interface SetShot {
  source: string;
  /** frames this shot alone is on screen (before any transition overlap) */
  frames: number;
  /** flashes [first frame, length] counted from the shot's first solo frame: not boundaries */
  flashes: Array<[number, number]>;
}

export interface SetClip {
  name: string;
  /** "validation" and "heldout" are never tuned on: only their aggregate figures are read */
  split: "tuning" | "validation" | "heldout";
  fps: number;
  crf: number;
  noise: number;
  shots: SetShot[];
  joins: Join[];
}

export interface SetTruth {
  kind: TruthKind;
  /** the transition's name: "cut" or the xfade transition */
  name: string;
  startFrame: number;
  /** first frame showing only the new shot */
  frame: number;
}

export interface GeneratedSetClip {
  clip: SetClip;
  path: string;
  frameCount: number;
  truth: SetTruth[];
  flashFrames: number[];
}

export const W = 320;
export const H = 180;

// ---- deterministic choices ----

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const between = (rand: Rand, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const hex = (rand: Rand) =>
  `0x${Array.from({ length: 3 }, () => between(rand, 16, 239).toString(16).padStart(2, "0")).join("")}`;

// ---- sources (each a function of the PRNG: colours, seeds, speeds vary) ----

// the mandelbrot source's second frame still jumps (0.11 scene score, then < 0.005): not a camera
// effect, and it would turn a cut into it into a two-frame change. Its first frames are dropped.
const MANDEL_WARMUP = "format=yuv420p,trim=start_frame=3,setpts=PTS-STARTPTS";

type SourceMaker = (rand: Rand, r: number) => string;

const SOURCES: Record<string, SourceMaker> = {
  testsrc2: (_, r) => `testsrc2=s=${W}x${H}:r=${r}`,
  testsrc: (_, r) => `testsrc=s=${W}x${H}:r=${r}`,
  rgbtest: (_, r) => `rgbtestsrc=s=${W}x${H}:r=${r},hue=h='20*sin(t*2)'`,
  bars: (rand, r) =>
    `${pick(rand, ["smptebars", "smptehdbars", "pal100bars"])}=s=${W + 40}x${H + 24}:r=${r},crop=${W}:${H}:x='20+20*sin(t*4)':y='12+12*cos(t*3)'`,
  mandelbrot: (rand, r) => {
    const [x, y] = pick(rand, [
      [-0.743643887, 0.131825904],
      [-0.7453, 0.1127],
      [-1.25066, 0.02012],
      [0.001643721971153, -0.822467633298876],
    ] as const);
    return `mandelbrot=s=${W}x${H}:r=${r}:maxiter=80:start_scale=${(0.6 + rand()).toFixed(2)}:end_scale=0.3:end_pts=30:start_x=${x}:start_y=${y},${MANDEL_WARMUP}`;
  },
  life: (rand, r) =>
    `life=s=${W / 4}x${H / 4}:r=${r}:seed=${between(rand, 1, 999)}:ratio=0.45:mold=6:life_color=${hex(rand)}:death_color=${hex(rand)}:mold_color=${hex(rand)},trim=start_frame=40,setpts=PTS-STARTPTS,scale=${W}:${H}:flags=neighbor`,
  cellauto: (rand, r) =>
    `cellauto=s=${W}x${H}:r=${r}:rule=${pick(rand, [18, 30, 90, 110, 150])}:seed=${between(rand, 1, 999)},format=rgb24,lutrgb=r='val*0.3+${between(rand, 20, 90)}':g='val*0.7':b='val*0.4+${between(rand, 20, 90)}'`,
  gradients: (rand, r) =>
    `gradients=s=${W}x${H}:r=${r}:c0=${hex(rand)}:c1=${hex(rand)}:x0=${between(rand, 0, W)}:y0=0:x1=${between(rand, 0, W)}:y1=${H}:speed=0.02:seed=1,format=yuv420p`,
  plasma: (rand, r) => {
    const [a, b, c] = [between(rand, 9, 31), between(rand, 9, 31), between(rand, 1, 4)];
    return `color=s=${W}x${H}:r=${r},format=gbrp,geq=r='128+110*sin(X/${a}+T*${c})':g='128+110*sin(Y/${b}-T*2)':b='128+100*sin((X+Y)/${a + b}+T)'`;
  },
  noiseField: (rand, r) =>
    `color=c=${hex(rand)}:s=${W}x${H}:r=${r},noise=alls=${between(rand, 20, 45)}:allf=t+u,vignette=angle='0.6+0.3*sin(t*3)':eval=frame`,
  // fast pans over a large frame, and a fast oscillating zoom
  panTest: (rand, r) =>
    `testsrc2=s=${W * 4}x${H * 4}:r=${r},crop=${W}:${H}:x='${W * 1.5}+${W * 1.45}*sin(t*${(1.2 + rand()).toFixed(2)})':y='${H * 1.5}+${H}*sin(t*1.1)'`,
  panCells: (rand, r) =>
    `cellauto=s=${W * 2}x${H * 2}:r=${r}:rule=${pick(rand, [30, 110])}:seed=${between(rand, 1, 999)},format=rgb24,lutrgb=g='val*0.6':b='val*0.3+60',crop=${W}:${H}:x='${W / 2}+${W / 2 - 4}*sin(t*2.4)':y='${H / 2}+${H / 2 - 4}*cos(t*1.9)'`,
  zoom: (rand, r) =>
    `testsrc2=s=${W * 2}x${H * 2}:r=${r},zoompan=z='1.7+0.6*sin(in/${between(rand, 5, 9)})':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${W}x${H}:fps=${r}`,
  // zoomed in and out fast over a moving cell pattern (the mandelbrot source saturates into a flat
  // picture within a second when zoomed, so it is no zoom source here)
  zoomLife: (rand, r) =>
    `life=s=${W / 2}x${H / 2}:r=${r}:seed=${between(rand, 1, 999)}:ratio=0.5:mold=5:life_color=${hex(rand)}:death_color=${hex(rand)}:mold_color=${hex(rand)},trim=start_frame=40,setpts=PTS-STARTPTS,scale=${W * 2}:${H * 2}:flags=neighbor,zoompan=z='1.6+0.5*sin(in/${between(rand, 5, 9)})':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${W}x${H}:fps=${r}`,
};

/** a noisy texture of one grey-green family: two of them cut together differ only a little */
function texture(rand: Rand, r: number): string {
  const base = between(rand, 70, 150);
  const tint = between(rand, -25, 25);
  const c = [base + tint, base, base - tint].map((v) => v.toString(16).padStart(2, "0")).join("");
  const f = between(rand, 5, 14);
  return `color=c=0x${c}:s=${W}x${H}:r=${r},format=gbrp,geq=r='p(X,Y)+40*sin(X/${f})*sin(Y/${f + 3})':g='p(X,Y)+40*sin(X/${f})*sin(Y/${f + 3})':b='p(X,Y)+40*sin(X/${f})*sin(Y/${f + 3})',format=yuv420p,noise=alls=${between(rand, 25, 45)}:allf=t+u`;
}

/** the kind each xfade transition used here is scored as */
const KIND: Record<string, TruthKind> = {
  fade: "DISSOLVE",
  dissolve: "DISSOLVE",
  fadegrays: "DISSOLVE",
  fadeblack: "FADE",
  fadewhite: "FADE",
};

type Gradual = Array<{ name: string; weight: number }>;

const GRADUAL: Gradual = [
  { name: "fade", weight: 4 },
  { name: "dissolve", weight: 1 },
  { name: "fadeblack", weight: 2 },
  { name: "fadewhite", weight: 2 },
  { name: "fadegrays", weight: 1 },
  { name: "wipeleft", weight: 1 },
  { name: "wiperight", weight: 1 },
  { name: "wipeup", weight: 1 },
  { name: "wipedown", weight: 1 },
  { name: "wipetl", weight: 1 },
  { name: "wipebr", weight: 1 },
  { name: "diagtr", weight: 1 },
  { name: "circleopen", weight: 2 },
  { name: "circleclose", weight: 2 },
  { name: "radial", weight: 2 },
  { name: "slideleft", weight: 1 },
  { name: "horzopen", weight: 1 },
];

export function truthKind(join: Join): TruthKind {
  return join.kind === "cut" ? "CUT" : (KIND[join.name] ?? "WIPE");
}

const FLAVOURS = ["cuts", "gradual", "mixed", "motion", "textures", "slow"] as const;
type Flavour = (typeof FLAVOURS)[number];

/** how one family of clips is drawn; every random choice is made in the same order for each */
interface Recipe {
  seed: (index: number) => number;
  fps: (index: number) => number;
  flavour: (index: number) => Flavour;
  split: (index: number) => SetClip["split"];
  name: (index: number, flavour: Flavour, fps: number) => string;
  sources: Record<string, SourceMaker>;
  motion: readonly string[];
  texture: SourceMaker;
  gradual: Gradual;
  /** the transition a slow dissolve uses */
  slow: (rand: Rand) => string;
  /** [shortest, longest] seconds of a transition, of a slow dissolve, of a shot's solo part */
  seconds: [number, number];
  slowSeconds: [number, number];
  shotSeconds: [number, number];
  flashFrames: readonly number[];
  crf: readonly number[];
  noise: readonly number[];
}

function pickGradual(rand: Rand, recipe: Recipe, fps: number, slow: boolean): Join {
  const total = recipe.gradual.reduce((s, g) => s + g.weight, 0);
  let x = rand() * total;
  const g = recipe.gradual.find((c) => (x -= c.weight) < 0) ?? recipe.gradual[0]!;
  const [lo, hi] = slow ? recipe.slowSeconds : recipe.seconds;
  const seconds = lo + rand() * (hi - lo);
  return { kind: "xfade", name: slow ? recipe.slow(rand) : g.name, frames: Math.max(6, Math.round(seconds * fps)) };
}

function makeClip(recipe: Recipe, index: number): SetClip {
  const rand = mulberry32(recipe.seed(index));
  const fps = recipe.fps(index);
  const flavour = recipe.flavour(index);
  const names = Object.keys(recipe.sources);
  const count = between(rand, 4, 6);
  const shots: SetShot[] = [];
  const joins: Join[] = [];
  const [shortest, longest] = recipe.shotSeconds;
  let previous = "";
  for (let i = 0; i < count; i++) {
    let name: string;
    do name = flavour === "motion" && rand() < 0.6 ? pick(rand, recipe.motion) : pick(rand, names);
    while (name === previous);
    previous = name;
    const textured = flavour === "textures" && rand() < 0.7;
    const source = textured ? recipe.texture(rand, fps) : recipe.sources[name]!(rand, fps);
    const frames = Math.round((shortest + rand() * (longest - shortest)) * fps);
    const flashes: Array<[number, number]> = [];
    if (rand() < 0.3) flashes.push([between(rand, 6, frames - 8), pick(rand, recipe.flashFrames)]);
    shots.push({ source, frames, flashes });
    if (i === count - 1) break;
    const cutShare = { cuts: 0.85, gradual: 0.1, mixed: 0.5, motion: 0.6, textures: 0.7, slow: 0.3 }[flavour];
    joins.push(
      rand() < cutShare ? { kind: "cut" } : pickGradual(rand, recipe, fps, flavour === "slow" && rand() < 0.7),
    );
  }
  return {
    name: recipe.name(index, flavour, fps),
    split: recipe.split(index),
    fps,
    crf: pick(rand, recipe.crf),
    noise: pick(rand, recipe.noise),
    shots,
    joins,
  };
}

const FPS = [24, 25, 30, 50, 60];

const ORIGINAL: Recipe = {
  seed: (index) => 0x5ee0 + index * 7919,
  fps: (index) => FPS[index % FPS.length]!,
  flavour: (index) => FLAVOURS[Math.floor(index / FPS.length) % FLAVOURS.length]!,
  // clips 45 to 104 were added to the tuning set after the fresh held-out set was made
  split: (index) => (index < 45 && index % 3 === 2 ? "validation" : "tuning"),
  name: (index, flavour, fps) => `${String(index).padStart(2, "0")}-${flavour}-${fps}`,
  sources: SOURCES,
  motion: ["panTest", "panCells", "zoom", "zoomLife"],
  texture,
  gradual: GRADUAL,
  slow: () => "fade",
  seconds: [0.4, 1.2],
  slowSeconds: [1.6, 2.4],
  shotSeconds: [1.2, 2.4],
  flashFrames: [1, 1, 2, 3],
  crf: [14, 20, 26, 32, 36],
  noise: [0, 0, 4, 8, 14],
};

// ---- the fresh held-out recipe: nothing in it was looked at while tuning ----

/** noisy textures of a blue-violet family, in stripes or checks: two of them cut together differ a little */
function freshTexture(rand: Rand, r: number): string {
  const base = between(rand, 60, 160);
  const tint = between(rand, -20, 20);
  const c = [base - tint, base - Math.abs(tint), base + tint].map((v) => v.toString(16).padStart(2, "0")).join("");
  const f = between(rand, 4, 12);
  const amp = between(rand, 25, 45);
  const pattern = pick(rand, [`sin((X+Y)/${f})`, `sin(X/${f})*cos(Y/${f + 2})`, `sin(hypot(X,Y)/${f})`]);
  const channel = `p(X,Y)+${amp}*${pattern}`;
  return `color=c=0x${c}:s=${W}x${H}:r=${r},format=gbrp,geq=r='${channel}':g='${channel}':b='${channel}',format=yuv420p,noise=alls=${between(rand, 20, 50)}:allf=t+u`;
}

/** a large still picture of soft noise (clouds, stone), `scale` times the frame: blurred grey noise,
 * its contrast raised again (the blur flattens it), then tinted */
const clouds = (rand: Rand, r: number, scale: number) =>
  `color=c=0x808080:s=${W * scale}x${H * scale}:r=${r},noise=alls=100:allf=u,gblur=sigma=${between(rand, 4, 8)},lutyuv=y='clip(128+(val-128)*${between(rand, 8, 14)},16,235)':u=${between(rand, 100, 156)}:v=${between(rand, 100, 156)}`;

const FRESH_SOURCES: Record<string, SourceMaker> = {
  sierpinski: (rand, r) =>
    `sierpinski=s=${W}x${H}:r=${r}:seed=${between(rand, 1, 9999)}:jump=${between(rand, 20, 200)}:type=${pick(rand, ["carpet", "triangle"])}`,
  spectrum: (rand, r) =>
    `colorspectrum=s=${W * 2}x${H}:r=${r}:type=${pick(rand, ["black", "white", "all"])},scroll=h=${(0.002 + rand() * 0.01).toFixed(4)},crop=${W}:${H}:0:0`,
  chart: (rand, r) =>
    `colorchart=r=${r}:patch_size=${pick(rand, ["40x40", "48x48", "32x32"])}:preset=${pick(rand, ["reference", "skintones"])},scale=${W}:${H},rotate=a='${(0.04 + rand() * 0.08).toFixed(3)}*sin(t*2)':c=0x202020`,
  yuvtest: (rand, r) => `yuvtestsrc=s=${W}x${H}:r=${r},hue=h='t*${between(rand, 10, 40)}'`,
  hald: (rand, r) =>
    `haldclutsrc=level=6:r=${r},scale=${W * 2}:${H * 2},crop=${W}:${H}:x='${W / 2}+${W / 2 - 10}*sin(t*${(0.8 + rand()).toFixed(2)})':y='${H / 2}+${H / 2 - 10}*cos(t)'`,
  clouds: (rand, r) => `${clouds(rand, r, 1)},scroll=h=${(0.002 + rand() * 0.006).toFixed(4)}`,
  wood: (rand, r) => {
    const [x, y, f] = [between(rand, 0, W), between(rand, 0, H), between(rand, 3, 7)];
    const ring = `sin(hypot(X-${x},Y-${y})/${f}+T*${between(rand, 1, 3)})`;
    return `color=s=${W}x${H}:r=${r},format=gbrp,geq=r='140+60*${ring}':g='90+40*${ring}':b='50+20*${ring}'`;
  },
  bricks: (rand, r) =>
    `color=c=${hex(rand)}:s=${W}x${H}:r=${r},drawgrid=w=${between(rand, 30, 50)}:h=${between(rand, 15, 25)}:t=3:c=0xd0d0c0@0.7,noise=alls=${between(rand, 10, 30)}:allf=t,scroll=h=${(0.002 + rand() * 0.004).toFixed(4)}`,
  negTest: (rand, r) => `testsrc2=s=${W}x${H}:r=${r},negate,hue=s=${(0.2 + rand() * 0.6).toFixed(2)}`,
  edges: (_, r) => `testsrc=s=${W}x${H}:r=${r},edgedetect=mode=colormix`,
  mandelbrot: (rand, r) => {
    const [x, y] = pick(rand, [
      [-0.16, 1.0405],
      [-0.7746806106269039, -0.1374168856037867],
      [-1.7497591451303665, 0.0],
    ] as const);
    return `mandelbrot=s=${W}x${H}:r=${r}:maxiter=120:start_scale=${(0.8 + rand()).toFixed(2)}:end_scale=0.4:end_pts=30:start_x=${x}:start_y=${y}:outer=normalized_iteration_count,${MANDEL_WARMUP}`;
  },
  bigLife: (rand, r) =>
    `life=s=${W / 8}x${H / 9}:r=${r}:seed=${between(rand, 1, 999)}:ratio=0.4:mold=8:life_color=${hex(rand)}:death_color=${hex(rand)}:mold_color=${hex(rand)},trim=start_frame=30,setpts=PTS-STARTPTS,scale=${W}:${H}:flags=neighbor`,
  // fast pans over a cloud field, a fast zoom over a colour chart, a spin of a test card
  panClouds: (rand, r) =>
    `${clouds(rand, r, 3)},crop=${W}:${H}:x='${W}+${W - 4}*sin(t*${(1.5 + rand()).toFixed(2)})':y='${H}+${H - 4}*cos(t*1.3)'`,
  zoomChart: (rand, r) =>
    `colorchart=r=${r}:patch_size=64x64,scale=${W * 2}:${H * 2},zoompan=z='1.6+0.5*sin(in/${between(rand, 4, 8)})':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=${W}x${H}:fps=${r}`,
  spinTest: (rand, r) => `testsrc2=s=${W * 2}x${H * 2}:r=${r},rotate=a='t*${(0.5 + rand()).toFixed(2)}',crop=${W}:${H}`,
};

const FRESH_GRADUAL: Gradual = [
  { name: "fade", weight: 3 },
  { name: "dissolve", weight: 1 },
  { name: "fadegrays", weight: 1 },
  { name: "fadeblack", weight: 2 },
  { name: "fadewhite", weight: 2 },
  { name: "wipetr", weight: 1 },
  { name: "wipebl", weight: 1 },
  { name: "wipeleft", weight: 1 },
  { name: "wipedown", weight: 1 },
  { name: "diagbl", weight: 1 },
  { name: "diagtl", weight: 1 },
  { name: "circleopen", weight: 1 },
  { name: "circleclose", weight: 2 },
  { name: "radial", weight: 1 },
  { name: "slideright", weight: 1 },
  { name: "slideup", weight: 1 },
  { name: "vertopen", weight: 1 },
  { name: "vertclose", weight: 1 },
  { name: "horzclose", weight: 1 },
  { name: "smoothleft", weight: 1 },
  { name: "smoothdown", weight: 1 },
];

const FRESH_FPS = [20, 24, 25, 30, 48, 50, 60];

const FRESH: Recipe = {
  seed: (index) => 0xf2e5 + index * 104729,
  fps: (index) => FRESH_FPS[(index * 3) % FRESH_FPS.length]!,
  flavour: (index) => FLAVOURS[index % FLAVOURS.length]!,
  split: () => "heldout",
  name: (index, flavour, fps) => `f${String(index).padStart(2, "0")}-${flavour}-${fps}`,
  sources: FRESH_SOURCES,
  motion: ["panClouds", "zoomChart", "spinTest", "hald"],
  texture: freshTexture,
  gradual: FRESH_GRADUAL,
  slow: (rand) => pick(rand, ["fade", "fade", "fadegrays"]),
  seconds: [0.3, 1.3],
  slowSeconds: [1.5, 2.6],
  shotSeconds: [1.0, 2.6],
  flashFrames: [1, 2, 3],
  crf: [16, 22, 28, 31, 34],
  noise: [0, 2, 6, 10, 18],
};

export const SHOT_SET: SetClip[] = [
  ...Array.from({ length: 105 }, (_, i) => makeClip(ORIGINAL, i)),
  ...Array.from({ length: 18 }, (_, i) => makeClip(FRESH, i)),
];

// ---- the filter graph ----

/** frames of the shot's stream: its solo part plus the overlaps it shares with its neighbours */
function overlap(join: Join | undefined): number {
  return join?.kind === "xfade" ? join.frames : 0;
}

export function layoutSet(clip: SetClip): {
  lengths: number[];
  truth: SetTruth[];
  flashFrames: number[];
  frameCount: number;
} {
  const lengths: number[] = [];
  const truth: SetTruth[] = [];
  const flashFrames: number[] = [];
  // `at` is the output frame where shot i's stream begins
  let at = 0;
  clip.shots.forEach((shot, i) => {
    const before = overlap(clip.joins[i - 1]);
    const after = overlap(clip.joins[i]);
    lengths.push(before + shot.frames + after);
    const solo = at + before;
    for (const [f, n] of shot.flashes) for (let k = 0; k < n; k++) flashFrames.push(solo + f + k);
    const join = clip.joins[i];
    if (!join) return;
    // xfade blends the last `after` frames of this stream with the first of the next one
    const next = solo + shot.frames;
    truth.push({
      kind: truthKind(join),
      name: join.kind === "cut" ? "cut" : join.name,
      startFrame: next,
      frame: next + after,
    });
    at = next;
  });
  const frameCount = at + lengths[lengths.length - 1]!;
  return { lengths, truth, flashFrames, frameCount };
}

function shotChain(clip: SetClip, shot: SetShot, length: number, before: number): string {
  const r = clip.fps;
  const parts = [shot.source, `trim=end_frame=${length}`, `settb=1/${r}`, "setpts=N", "format=yuv420p", "setsar=1"];
  for (const [f, n] of shot.flashes)
    parts.push(`lutrgb=r=255:g=255:b=255:enable='between(n,${before + f},${before + f + n - 1})'`);
  if (clip.noise > 0) parts.push(`noise=alls=${clip.noise}:allf=t`);
  parts.push("format=yuv420p");
  return parts.join(",");
}

export function filterGraph(clip: SetClip): { graph: string; frameCount: number } {
  const { lengths, frameCount } = layoutSet(clip);
  const parts: string[] = [];
  clip.shots.forEach((shot, i) =>
    parts.push(`${shotChain(clip, shot, lengths[i]!, overlap(clip.joins[i - 1]))}[s${i}]`),
  );
  let acc = "s0";
  let accFrames = lengths[0]!;
  clip.joins.forEach((join, i) => {
    const out = `j${i}`;
    const next = `s${i + 1}`;
    if (join.kind === "cut") parts.push(`[${acc}][${next}]concat=n=2:v=1:a=0,settb=1/${clip.fps},setpts=N[${out}]`);
    else
      parts.push(
        `[${acc}][${next}]xfade=transition=${join.name}:duration=${join.frames / clip.fps}:offset=${(accFrames - join.frames) / clip.fps}[${out}]`,
      );
    accFrames += lengths[i + 1]! - overlap(join);
    acc = out;
  });
  parts.push(`[${acc}]format=yuv420p[v]`);
  return { graph: parts.join(";"), frameCount };
}

/** encodes the clip into `dir` (or, with `reuse`, keeps the file a previous run encoded there) */
export async function generateSetClip(
  binaries: MediaBinaries,
  dir: string,
  clip: SetClip,
  reuse = false,
): Promise<GeneratedSetClip> {
  const { truth, flashFrames } = layoutSet(clip);
  const { graph, frameCount } = filterGraph(clip);
  const file = path.join(dir, `${clip.name}.mkv`);
  const args = [
    "-nostdin",
    "-hide_banner",
    "-v",
    "error",
    "-filter_threads",
    "1",
    "-filter_complex_threads",
    "1",
    "-filter_complex",
    graph,
    "-map",
    "[v]",
    "-frames:v",
    String(frameCount),
    "-r",
    String(clip.fps),
    "-c:v",
    "libx264",
    "-threads",
    "1",
    "-preset",
    "veryfast",
    "-crf",
    String(clip.crf),
    "-pix_fmt",
    "yuv420p",
    "-y",
    file,
  ];
  if (!(reuse && existsSync(file))) await run(binaries.ffmpeg, args, { maxBuffer: 1 << 24 });
  return { clip, path: file, frameCount, truth, flashFrames };
}
