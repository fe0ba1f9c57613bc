// Segments (线段) and segments of segments, chan-spec §7.
export { FeatureElement, REL_COMBINE, REL_DOWN, REL_UP, type Relation } from './eigen.js';
export { END_SURE, END_UNDETERMINED, FeatureFractal, type EndTest } from './eigen-fx.js';
export { findPeak } from './find-peak.js';
export { Seg, SegEndValueError, type BarPrices, type PriceColumns } from './seg.js';
export { SegList, type SegListOptions } from './seg-list-base.js';
export { SegListChan } from './seg-list.js';
export { SegListBreak } from './seg-list-break.js';
export { SegListDYH } from './seg-list-dyh.js';
export { createSegList } from './create.js';
