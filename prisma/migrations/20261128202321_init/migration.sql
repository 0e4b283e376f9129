-- CreateTable
CREATE TABLE "Clip" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contentHash" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'INGESTING',
    "error" TEXT,
    "sizeBytes" INTEGER NOT NULL,
    "formatName" TEXT NOT NULL,
    "duration" REAL NOT NULL,
    "startTime" REAL NOT NULL DEFAULT 0,
    "frameRate" REAL NOT NULL,
    "variableFrameRate" BOOLEAN NOT NULL DEFAULT false,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "streams" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "readyAt" DATETIME
);

-- CreateTable
CREATE TABLE "SubtitleTrack" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clipId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "streamIndex" INTEGER,
    "path" TEXT,
    "codec" TEXT NOT NULL,
    "language" TEXT,
    "title" TEXT,
    "encoding" TEXT,
    "imageBased" BOOLEAN NOT NULL DEFAULT false,
    "skipped" BOOLEAN NOT NULL DEFAULT false,
    "warnings" TEXT NOT NULL DEFAULT '[]',
    CONSTRAINT "SubtitleTrack_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Cue" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clipId" TEXT NOT NULL,
    "trackId" TEXT NOT NULL,
    "sceneId" TEXT,
    "index" INTEGER NOT NULL,
    "startTime" REAL NOT NULL,
    "endTime" REAL NOT NULL,
    "rawText" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "speaker" TEXT,
    CONSTRAINT "Cue_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Cue_trackId_fkey" FOREIGN KEY ("trackId") REFERENCES "SubtitleTrack" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Cue_sceneId_fkey" FOREIGN KEY ("sceneId") REFERENCES "Scene" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Shot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clipId" TEXT NOT NULL,
    "sceneId" TEXT,
    "index" INTEGER NOT NULL,
    "startTime" REAL NOT NULL,
    "endTime" REAL NOT NULL,
    "startFrame" INTEGER NOT NULL,
    "endFrame" INTEGER NOT NULL,
    "transition" TEXT NOT NULL,
    "transitionStart" REAL,
    CONSTRAINT "Shot_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Shot_sceneId_fkey" FOREIGN KEY ("sceneId") REFERENCES "Scene" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Keyframe" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clipId" TEXT NOT NULL,
    "shotId" TEXT NOT NULL,
    "time" REAL NOT NULL,
    "path" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "brightness" REAL NOT NULL,
    "contrast" REAL NOT NULL,
    "saturation" REAL NOT NULL,
    "colourfulness" REAL NOT NULL,
    "palette" TEXT NOT NULL,
    CONSTRAINT "Keyframe_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Keyframe_shotId_fkey" FOREIGN KEY ("shotId") REFERENCES "Shot" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Scene" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clipId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "startTime" REAL NOT NULL,
    "endTime" REAL NOT NULL,
    "text" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Scene_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "IngestCheckpoint" (
    "clipId" TEXT NOT NULL,
    "stage" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("clipId", "stage"),
    CONSTRAINT "IngestCheckpoint_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "Clip" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "stage" TEXT,
    "percent" REAL NOT NULL DEFAULT 0,
    "message" TEXT,
    "input" TEXT NOT NULL DEFAULT '{}',
    "clipId" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "SearchOutbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "op" TEXT NOT NULL,
    "sceneId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "availableAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "Clip_contentHash_key" ON "Clip"("contentHash");

-- CreateIndex
CREATE INDEX "Clip_status_idx" ON "Clip"("status");

-- CreateIndex
CREATE UNIQUE INDEX "SubtitleTrack_clipId_index_key" ON "SubtitleTrack"("clipId", "index");

-- CreateIndex
CREATE INDEX "Cue_clipId_startTime_idx" ON "Cue"("clipId", "startTime");

-- CreateIndex
CREATE INDEX "Cue_sceneId_idx" ON "Cue"("sceneId");

-- CreateIndex
CREATE UNIQUE INDEX "Cue_trackId_index_key" ON "Cue"("trackId", "index");

-- CreateIndex
CREATE INDEX "Shot_sceneId_idx" ON "Shot"("sceneId");

-- CreateIndex
CREATE UNIQUE INDEX "Shot_clipId_index_key" ON "Shot"("clipId", "index");

-- CreateIndex
CREATE UNIQUE INDEX "Keyframe_shotId_key" ON "Keyframe"("shotId");

-- CreateIndex
CREATE INDEX "Keyframe_clipId_time_idx" ON "Keyframe"("clipId", "time");

-- CreateIndex
CREATE UNIQUE INDEX "Scene_clipId_index_key" ON "Scene"("clipId", "index");

-- CreateIndex
CREATE INDEX "Job_status_idx" ON "Job"("status");

-- CreateIndex
CREATE INDEX "SearchOutbox_availableAt_idx" ON "SearchOutbox"("availableAt");
