// The extractive generator (no model) answers: it quotes the reply, not the line that repeats the question,
// and a draft names speakers only from the retrieved scenes, never inventing "VOICE 1/2". Theme keywords
// never are character names (Sintel's own subtitles: "Scales", "Sintel").
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExtractiveGenerator } from "../../../src/analysis/generators/extractive.generator.js";
import { buildMessages, type ContextScene } from "../../../src/analysis/rag/context.js";
import { characterNames } from "../../../src/analysis/theme/names.js";
import { classTfIdf } from "../../../src/analysis/theme/ctfidf.js";

function scene(marker: number, lines: Array<[string | null, string]>): ContextScene {
  return {
    marker,
    clipTitle: "Test",
    sceneIndex: marker,
    startTime: marker * 10,
    endTime: marker * 10 + 9,
    emotions: [],
    captions: [],
    lines: lines.map(([speaker, text], i) => ({ startTime: marker * 10 + i, speaker, text })),
  };
}

describe("extractive answers", () => {
  it("quotes the reply that names the place, not the line that repeats the question", async () => {
    const scenes = [
      scene(1, [
        ["ANNA", "Where were you last night?"],
        ["TOM", "Down at the harbour until dawn."],
      ]),
      scene(2, [["ANNA", "The night was cold."]]),
    ];
    const text = await new ExtractiveGenerator({ maxLines: 1 }).generate(
      buildMessages("answer", "Where were you last night?", scenes),
    );
    expect(text).toContain("Down at the harbour until dawn.");
    expect(text).not.toContain('"Where were you last night?"');
  });

  it("drafts with the retrieved scenes' speakers and never invents voices", async () => {
    const scenes = [
      scene(1, [
        ["SINTEL", "I'm searching for someone."],
        [null, "A dragon."],
      ]),
    ];
    const draft = await new ExtractiveGenerator().generate(buildMessages("draft", "a search for a dragon", scenes));
    expect(draft).toContain("SINTEL\nI'm searching for someone.");
    expect(draft).not.toMatch(/VOICE/);
    expect(draft).toContain('"A dragon." (unattributed)');
  });
});

describe("theme keywords", () => {
  it("leave out the character names of Sintel's subtitles", () => {
    const srt = readFileSync(path.resolve("test/fixtures/subtitles/sintel_en.srt"), "utf8");
    const lines = srt.split("\n").filter((l) => l.trim() && !/^\d/.test(l));
    const names = characterNames(lines);
    expect([...names].sort()).toEqual(["scales", "sintel"]);
    const [kw] = classTfIdf([lines], 30, "en", names);
    expect(kw!.map((k) => k.term)).not.toContain("scales");
    expect(classTfIdf([lines], 30, "en")[0]!.map((k) => k.term)).toContain("scales"); // what it would have been
  });
});
