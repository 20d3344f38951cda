/** Statements run and round trips made to D1, for the benchmark's per-write count (D1_QUERY_LOG=1). */
export type QueryCount = { calls: number; statements: number };

/**
 * The D1 binding, counting as it goes. Statements stay D1's own objects underneath: `batch` is handed the originals.
 */
export function countingQueries(db: D1Database, count: QueryCount): D1Database {
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property) as unknown;
        if (property === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        if (typeof value !== "function") return value;
        if (property === "all" || property === "run" || property === "first" || property === "raw") {
          return (...args: unknown[]) => {
            count.calls++;
            count.statements++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
    originals.set(proxy, statement);
    return proxy;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === "prepare") return (query: string) => wrap(target.prepare(query));
      if (property === "batch") {
        return (statements: D1PreparedStatement[]) => {
          count.calls++;
          count.statements += statements.length;
          return target.batch(statements.map((s) => originals.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
