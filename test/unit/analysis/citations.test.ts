// The citation checker with answers that cite scenes that were not retrieved.
import { describe, expect, it } from "vitest";
import { checkCitations, NO_SUPPORTED_ANSWER } from "../../../src/analysis/rag/citations.js";
import { checkDraftMarkers } from "../../../src/analysis/rag/ask.service.js";

describe("citation checker", () => {
  it("keeps markers of retrieved scenes", () => {
    const r = checkCitations("He waits at the harbour [S1]. She leaves at dawn [S2][S1].", 3);
    expect(r.text).toBe("He waits at the harbour [S1]. She leaves at dawn [S2][S1].");
    expect(r.cited).toEqual([1, 2]);
    expect(r.removed).toEqual([]);
    expect(r.sentencesOf.get(1)).toEqual(["He waits at the harbour.", "She leaves at dawn."]);
  });

  it("removes a sentence that rests only on an invented scene, and reports it", () => {
    const r = checkCitations("He waits at the harbour [S1]. The ship sinks in a storm [S9]. Nobody survives.", 2);
    expect(r.text).toBe("He waits at the harbour [S1]. Nobody survives.");
    expect(r.cited).toEqual([1]);
    expect(r.removed).toEqual([
      {
        marker: "S9",
        sentence: "The ship sinks in a storm.",
        reason: "S9 is not one of the 2 retrieved scenes (S1–S2)",
      },
    ]);
  });

  it("drops invented markers from a group but keeps the valid ones and the sentence", () => {
    const r = checkCitations("They argue about money [S2, S7] and part [3].", 3);
    expect(r.text).toBe("They argue about money [S2] and part [S3].");
    expect(r.cited).toEqual([2, 3]);
    expect(r.removed.map((x) => x.marker)).toEqual(["S7"]);
  });

  it("attributes a marker after the full stop to the sentence before it", () => {
    const r = checkCitations("He lies. [S4] She knows. [S1]", 2);
    expect(r.text).toBe("She knows. [S1]");
    expect(r.removed).toEqual([expect.objectContaining({ marker: "S4", sentence: "He lies." })]);
  });

  it("an answer left with no valid citation says that nothing is supported", () => {
    const invented = checkCitations("The butler did it [S5].", 2);
    expect(invented.text).toBe(NO_SUPPORTED_ANSWER);
    expect(invented.cited).toEqual([]);
    expect(invented.removed.map((x) => x.marker)).toEqual(["S5"]);
    const uncited = checkCitations("The butler did it.", 2);
    expect(uncited.text).toBe(NO_SUPPORTED_ANSWER);
    expect(uncited.removed).toEqual([
      { marker: null, sentence: "The butler did it.", reason: "the answer cites no retrieved scene" },
    ]);
  });

  it("keeps list formatting of extractive answers", () => {
    const text =
      'The most relevant lines:\n- "Out by the harbour." (00:00:04.500) [S1]\n- "Always alone." (00:00:08.500) [S3]\n';
    const r = checkCitations(text, 2);
    expect(r.text).toBe('The most relevant lines:\n- "Out by the harbour." (00:00:04.500) [S1]');
    expect(r.removed.map((x) => x.marker)).toEqual(["S3"]);
  });

  it("checks the source markers of a Fountain draft", () => {
    const r = checkDraftMarkers("INT. SHIP - NIGHT\n\nANN\nWe sail.\n[[S1]]\n\n[[Sources: S1, S4, S2]]\n", 2);
    expect(r.text).toBe("INT. SHIP - NIGHT\n\nANN\nWe sail.\n[[S1]]\n\n[[Sources: S1, S2]]\n");
    expect(r.removed.map((x) => x.marker)).toEqual(["S4"]);
  });
});
