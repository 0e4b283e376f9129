// cinerag's own emotion lexicon: a small, hand-curated word list written for this project (MIT, like the
// rest of the repository). It is the fallback when no emotion model can be had (offline, not downloaded).
//
// Why our own: the NRC Emotion Lexicon is free for research only (commercial use needs a licence), and
// no permissively licensed emotion word list (MIT / CC-BY / public domain) is published as an npm package
// (AFINN is valence only, and under ODbL). So these words were chosen by us, from common usage in film
// and TV dialogue, and are not derived from NRC or any other lexicon. Each word belongs to one of Ekman's
// six emotions. English carries most entries; a few French, Spanish, German and Chinese entries cover the
// most frequent words so that the fallback is not silent on non-English subtitles. Extend freely: keep
// entries lower-case, one emotion per word, and no phrases (Chinese entries are matched as substrings).
import type { Emotion } from "../model-ports.js";

export const LEXICON_ID = "cinerag-emotion-lexicon-v1";

type Ekman6 = Exclude<Emotion, "neutral">;

const WORDS: Record<Ekman6, string> = {
  anger: `angry anger furious fury rage raging mad hate hated hates hating damn damned bastard idiot stupid
    shut yell yelling scream outraged outrage annoyed annoying irritated resent revenge kill enemy betray betrayed
    liar lied cheat cheated hostile insult insulted bitter frustrated frustrating livid
    colère fâché furieux rabia enfadado furioso odio wütend wut hass`,
  disgust: `disgust disgusting disgusted gross sick sickening nasty filthy filth vile revolting repulsive
    rotten stink stinks stinking smell puke vomit yuck ew eww creepy pervert slimy dirty obscene
    dégoûtant asco asqueroso ekelhaft eklig`,
  fear: `afraid fear feared scared scary frightened frightening terrified terror terrifying panic panicked
    horror horrified nervous anxious anxiety worried worry worrying dread danger dangerous threat threatened
    trembling shaking nightmare ghost monster haunted creep
    peur effrayé miedo asustado angst gefahr`,
  joy: `happy happiness joy joyful glad delighted delight love loved lovely wonderful great fantastic amazing
    awesome beautiful laugh laughing laughed smile smiling fun funny enjoy enjoyed excited exciting thrilled
    celebrate celebration congratulations cheers hooray yay proud grateful thank thanks thankful hope hopeful
    perfect brilliant relieved relief sweet darling kiss win won winner
    heureux joie merci amour feliz alegría gracias amor glücklich freude danke liebe`,
  sadness: `sad sadness unhappy cry crying cried tears sorrow sorry grief grieve grieving mourn mourning
    lonely alone missing loss dead death die died dying funeral heartbroken broken
    depressed depression miserable misery regret hurt hurts pain goodbye farewell tragic tragedy weep
    triste pleurer tristeza llorar traurig weinen`,
  surprise: `surprise surprised surprising wow whoa unexpected unbelievable incredible amazing astonished
    shocked shock shocking suddenly sudden unreal impossible stunned speechless
    quoi sorpresa increíble überraschung`,
};

/** Chinese (and other unsegmented) entries, matched as substrings of the text. */
const SUBSTRINGS: Record<Ekman6, string[]> = {
  anger: ["生气", "愤怒", "可恶", "混蛋", "讨厌"],
  disgust: ["恶心", "讨厌死"],
  fear: ["害怕", "恐惧", "可怕", "救命"],
  joy: ["高兴", "开心", "快乐", "幸福", "谢谢", "爱你"],
  sadness: ["难过", "伤心", "哭", "悲伤", "死了"],
  surprise: ["天哪", "真的吗", "惊讶", "不可能"],
};

export const NEGATIONS = new Set([
  "not",
  "no",
  "never",
  "don't",
  "dont",
  "didn't",
  "isn't",
  "wasn't",
  "aren't",
  "can't",
  "cannot",
  "won't",
  "ne",
  "pas",
  "nunca",
  "nicht",
  "kein",
]);

export const WORD_EMOTIONS: ReadonlyMap<string, Ekman6> = (() => {
  const map = new Map<string, Ekman6>();
  for (const [emotion, words] of Object.entries(WORDS) as Array<[Ekman6, string]>) {
    for (const w of words.split(/\s+/).filter(Boolean)) if (!map.has(w)) map.set(w, emotion);
  }
  return map;
})();

export const SUBSTRING_EMOTIONS: ReadonlyArray<[string, Ekman6]> = (
  Object.entries(SUBSTRINGS) as Array<[Ekman6, string[]]>
).flatMap(([e, list]) => list.map((s) => [s, e] as [string, Ekman6]));
