/** The middle value (the upper middle for an even count): the benches' figure for a handful of runs. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
