// What streaming-equals-batch tests compare: every structure of the result document (not bars, merged bars, meta).
import type { ChanResult } from '../../src/index.js';

export const structures = (r: ChanResult) => ({
  strokes: r.strokes,
  segments: r.segments,
  segmentsOfSegments: r.segmentsOfSegments,
  strokePivots: r.strokePivots,
  segmentPivots: r.segmentPivots,
  strokeSignals: r.strokeSignals,
  segmentSignals: r.segmentSignals,
});
