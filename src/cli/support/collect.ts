// Its own module so that `vltava server start` loads it without the client commands' support code.

/** Commander option parser for a repeatable option: collects every occurrence into an array. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
