-- CreateTable
CREATE TABLE "CueEmotion" (
    "cueId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "scores" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("cueId", "model"),
    CONSTRAINT "CueEmotion_cueId_fkey" FOREIGN KEY ("cueId") REFERENCES "Cue" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "KeyframeCaption" (
    "keyframeId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("keyframeId", "model"),
    CONSTRAINT "KeyframeCaption_keyframeId_fkey" FOREIGN KEY ("keyframeId") REFERENCES "Keyframe" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "KeyframeVector" (
    "keyframeId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "dimension" INTEGER NOT NULL,
    "vector" BLOB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("keyframeId", "model"),
    CONSTRAINT "KeyframeVector_keyframeId_fkey" FOREIGN KEY ("keyframeId") REFERENCES "Keyframe" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CueEmotion_clipId_model_idx" ON "CueEmotion"("clipId", "model");

-- CreateIndex
CREATE INDEX "KeyframeCaption_clipId_model_idx" ON "KeyframeCaption"("clipId", "model");

-- CreateIndex
CREATE INDEX "KeyframeVector_clipId_model_idx" ON "KeyframeVector"("clipId", "model");
