// Seed words of the English emotion fallback, chosen by hand for this project (MIT, like the repository;
// not taken from NRC, which is research-only, or any other lexicon). ./grow.cli.ts grows them into
// ./english-grown.ts by GloVe similarity (the vectors are PDDL); the hand-written rules of
// ./english.emotion-rules.ts then read a line with negation, intensifiers and a few phrase patterns.
import type { Emotion } from "../model-ports.js";

export type Ekman6 = Exclude<Emotion, "neutral">;
export const EKMAN6: readonly Ekman6[] = ["anger", "disgust", "fear", "joy", "sadness", "surprise"];

/** A few dozen unmistakable words per emotion: the centroids the lexicon is grown from. */
export const SEEDS: Record<Ekman6, string[]> = {
  anger: words(`angry anger furious fury rage enraged mad hate hatred hostile outraged livid resent
    resentment revenge vengeance insult insulted betray betrayed bastard damn idiot stupid fool
    liar cheat shut yell shout curse spite scold annoyed irritated infuriating humiliate selfish arrogant`),
  disgust: words(`disgust disgusting disgusted revolting repulsive gross vile nasty filthy filth rotten
    stink stinking stench smelly foul putrid vomit puke nauseous nausea slimy greasy grimy maggots
    cockroaches lice sewage sickening repugnant yuck scum sleazy obscene dirty spat spit
    flies sticky sour slime mold`),
  fear: words(`afraid fear scared frightened terrified terror panic panicked horror horrified nervous
    anxious anxiety dread danger dangerous threat trembling shaking nightmare frightening scary hide
    hiding escape trapped help flee chase alarmed worried cancer gun footsteps
    followed attack`),
  joy: words(`happy happiness joy joyful glad delighted delight love lovely wonderful fantastic amazing
    awesome beautiful laugh laughing smile smiling fun enjoy excited thrilled celebrate celebration
    congratulations cheers hooray proud grateful thank thanks perfect brilliant relieved win won
    birthday wedding married honeymoon holiday delicious free freedom goal dance dancing healthy`),
  sadness: words(`sad sadness unhappy cry crying cried tears sorrow grief grieving mourn mourning lonely
    loneliness alone miss missed loss lost dead death died funeral heartbroken broken depressed
    miserable misery regret hurt pain goodbye farewell tragic weep buried empty hopeless failed gone
    pretending wasted`),
  surprise: words(`surprise surprised surprising astonished astonishing amazed shocked stunned unexpected
    unbelievable incredible wow whoa startled speechless impossible sudden suddenly`),
};

/**
 * Phrases a word list cannot see, written by hand from how dialogue says things. Each is a regular
 * expression over the lower-cased line with its weight.
 */
export const PHRASES: Record<Ekman6, Array<[RegExp, number]>> = {
  anger: [
    [/\bhow dare\b/, 2],
    [/\bwho the hell\b|\bthe hell\b/, 1.5],
    [/\b(get|keep) (your|those) (filthy |dirty )?hands off\b/, 2],
    [/\b(i'?ve|i have) had it\b|\bsick of\b|\bfed up\b|\bdone being\b/, 1.5],
    [/\byou('re| are) going to pay\b|\bi('ll| will) (kill|show)\b/, 2],
    [/\bshut up\b|\bget out\b/, 1.5],
    [/\bhow could you\b|\byou had no right\b|\bi dare you\b|\bdon'?t you dare\b/, 2],
    [/\bstop treating\b|\bbroke your promise\b|\bstabbed me\b|\bruined\b/, 1.5],
  ],
  disgust: [
    [/\b(ugh|eww?|yuck|gross)\b/, 2],
    [/\bmakes? my skin crawl\b|\bthrew up\b|\bthrow up\b|\bfeel sick\b/, 2],
    [/\bcrawling with\b|\bsmells? like\b|\bit stank\b|\bstinks?\b/, 1.5],
    [/\bwouldn'?t touch\b|\bdon'?t touch me\b/, 1],
  ],
  fear: [
    [/\bdid you hear that\b|\bwhat was that\b/, 2],
    [/\bplease,? (god,? )?don'?t\b|\bdon'?t (hurt|leave) me\b/, 2],
    [/\bsomeone('s| is) (inside|watching|following)\b|\bsomething('s| is) (moving|breathing|wrong)\b/, 2],
    [/\b(run|hide)!|\bthey('re| are) coming\b|\bthey might hear\b|\bkeep your voice down\b/, 2],
    [/\bwhat if they\b|\bif they (catch|find)\b|\bno way out\b|\bgoing to (crash|fall|die)\b/, 2],
    [/\block the door\b|\bdon'?t open\b|\bcan'?t breathe\b/, 1.5],
  ],
  joy: [
    [/\bwe did it\b|\bwe won\b|\bi got the\b|\bbest day\b/, 2],
    [/\bhappy birthday\b|\bmerry christmas\b|\bshe said yes\b/, 2],
    [/\bso glad\b|\bcan'?t stop smiling\b|\bthank you\b/, 1.5],
  ],
  sadness: [
    [/\bpassed away\b|\bi('m| am) sorry\b|\btoo late\b|\bnever (even )?said goodbye\b/, 1.5],
    [/\b(doesn'?t|don'?t) (visit|remember|come)\b.*\banymore\b|\bno point\b/, 1.5],
    [/\bnobody (came|knows|cares)\b|\bdon'?t have anyone\b|\bnot coming back\b|\blet everyone down\b/, 2],
    [/\bgave up\b|\bnever saw (him|her|them) again\b|\bwhat happened to us\b/, 1.5],
  ],
  surprise: [
    [/^(wait|hold on)\b|\bwait,/, 2],
    [/\bno way\b|\bi can'?t believe\b|\bis that really\b|\bare you serious\b|\bis this a joke\b/, 2],
    [/\boh my (god|goodness)\b|\bmy goodness\b|\bgood heavens\b|\bholy\b/, 2],
    [/\bsince when\b|\byou mean\b|\bhad no idea\b|\bnever expected\b|\bdid not see that\b/, 2],
    [/\b(the whole time|all this time|all along)\b/, 2],
    [/\bwhat on earth\b|\bhow did (it|he|she|you)\b|\bwhat are you doing here\b|\bjust like that\b/, 1.5],
    [/^(what|really|huh|oh)[?!.]/, 1.5],
  ],
};

function words(list: string): string[] {
  return list.split(/\s+/).filter(Boolean);
}
