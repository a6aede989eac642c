/** Counts Kysely compilations (every dialect's compiler is a DefaultQueryCompiler) until restored. */
import { DefaultQueryCompiler } from 'kysely';

export function countCompilations(): { readonly count: number; restore(): void } {
  const original = DefaultQueryCompiler.prototype.compileQuery;
  let count = 0;
  DefaultQueryCompiler.prototype.compileQuery = function (this: DefaultQueryCompiler, ...args: Parameters<typeof original>) {
    count++;
    return original.apply(this, args);
  };
  return {
    get count() {
      return count;
    },
    restore() {
      DefaultQueryCompiler.prototype.compileQuery = original;
    },
  };
}
