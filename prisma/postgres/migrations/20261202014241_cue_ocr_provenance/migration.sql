-- AlterTable
ALTER TABLE "Cue" ADD COLUMN     "ocrConfidence" DOUBLE PRECISION,
ADD COLUMN     "ocrEngine" TEXT,
ADD COLUMN     "ocrModel" TEXT;
