// What a VFX supervisor looks for when breaking down a script: each category with the words of the
// action that call for it (stems, matched case-insensitively at word starts), the text used to find
// reference shots in the archive (dialogue, captions and, with CLIP, the images), and a base complexity.
export const EFFECT_CATEGORIES = [
  "EXPLOSION_FIRE",
  "WEATHER",
  "WATER",
  "CREATURE",
  "CROWD",
  "VEHICLE",
  "SET_EXTENSION",
  "SUPERNATURAL",
  "GORE",
  "PRACTICAL_SFX",
] as const;
export type EffectCategory = (typeof EFFECT_CATEGORIES)[number];

export interface CategorySpec {
  label: string;
  /** word stems that call for the effect in action lines ("word=" for a whole word only) */
  stems: string[];
  /** retrieval text for reference shots */
  query: string;
  /** 1 (simple) to 3 (heavy) */
  base: number;
}

export const CATALOG: Record<EffectCategory, CategorySpec> = {
  EXPLOSION_FIRE: {
    label: "explosion/fire",
    stems: [
      "explo",
      "blast",
      "detonat",
      "fire=",
      "fires=",
      "flame",
      "burn",
      "blaze",
      "inferno",
      "fireball",
      "smoke",
      "ignite",
      "bomb",
    ],
    query: "explosion fire flames burning smoke",
    base: 3,
  },
  WEATHER: {
    label: "weather",
    stems: [
      "storm",
      "rain",
      "snow",
      "blizzard",
      "lightning",
      "thunder",
      "hurricane",
      "tornado",
      "fog=",
      "hail=",
      "howling wind",
      "gale",
    ],
    query: "storm rain snow lightning wind weather",
    base: 2,
  },
  WATER: {
    label: "water",
    stems: ["flood", "wave", "tsunami", "underwater", "drown", "ocean", "river burst", "waterfall", "sinks", "sinking"],
    query: "water flood wave ocean drowning",
    base: 3,
  },
  CREATURE: {
    label: "creature",
    stems: [
      "dragon",
      "monster",
      "creature",
      "beast",
      "alien",
      "wolf=",
      "wolves",
      "serpent",
      "giant",
      "troll",
      "demon",
      "dinosaur",
    ],
    query: "dragon creature monster beast",
    base: 3,
  },
  CROWD: {
    label: "crowd",
    stems: [
      "crowd",
      "army",
      "armies",
      "hundreds",
      "thousands",
      "horde",
      "mob",
      "stadium",
      "battalion",
      "soldiers",
      "throng",
    ],
    query: "crowd army people hundreds",
    base: 2,
  },
  VEHICLE: {
    label: "vehicle",
    stems: [
      "car chase",
      "crash",
      "truck",
      "helicopter",
      "plane=",
      "planes=",
      "jet=",
      "spaceship",
      "train=",
      "motorcycle",
      "skids",
      "careens",
      "collides",
    ],
    query: "car crash chase vehicle plane",
    base: 2,
  },
  SET_EXTENSION: {
    label: "set extension",
    stems: [
      "skyline",
      "vast",
      "city",
      "castle",
      "fortress",
      "panorama",
      "horizon",
      "valley",
      "cathedral",
      "ruins",
      "mountain",
      "towering",
    ],
    query: "city skyline castle vast landscape mountains",
    base: 2,
  },
  SUPERNATURAL: {
    label: "supernatural",
    stems: [
      "ghost",
      "magic",
      "spell",
      "levitat",
      "vanish",
      "glow",
      "portal",
      "teleport",
      "spirit",
      "transform",
      "invisible",
      "phantom",
    ],
    query: "ghost magic spirit glowing supernatural",
    base: 3,
  },
  GORE: {
    label: "gore",
    stems: [
      "blood",
      "wound",
      "severed",
      "decapitat",
      "gore",
      "corpse",
      "stab",
      "impale",
      "entrails",
      "bleed",
      "gunshot wound",
    ],
    query: "blood wound injury gore",
    base: 2,
  },
  PRACTICAL_SFX: {
    label: "practical/SFX",
    stems: [
      "gunfire",
      "shoots",
      "gunshot",
      "sparks",
      "shatter",
      "collapse",
      "debris",
      "squib",
      "ricochet",
      "crumble",
      "rubble",
    ],
    query: "gunfire sparks glass shattering debris",
    base: 1,
  },
};

/** Words in an action line that raise the complexity: scale and duration. */
export const SCALE_WORDS =
  /\b(massive|huge|enormous|entire|whole city|hundreds|thousands|giant|colossal|endless|armies|fleet)\b/i;

/** The stems of `spec` found in `text` (a stem must start a word; multi-word stems match as phrases). */
export function matchedStems(spec: CategorySpec, text: string): string[] {
  const lower = text.toLowerCase();
  return spec.stems
    .filter((s) => {
      const whole = s.endsWith("=");
      const body = (whole ? s.slice(0, -1) : s).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return new RegExp(`\\b${body}${whole ? "\\b" : ""}`).test(lower);
    })
    .map((s) => s.replace(/=$/, ""));
}
