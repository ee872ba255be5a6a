import { at, outOfRange } from '../at.js';

/** Disjoint sets over the integers 0..n-1, with path halving and union by size. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const parent = this.parent;
    for (
      let up = parent[x] ?? outOfRange(parent, x);
      up !== x;
      up = parent[x] ?? outOfRange(parent, x)
    ) {
      const grandparent = parent[up] ?? outOfRange(parent, up);
      parent[x] = grandparent;
      x = grandparent;
    }
    return x;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    const size = this.size;
    const sizeA = size[ra] ?? outOfRange(size, ra);
    const sizeB = size[rb] ?? outOfRange(size, rb);
    if (sizeA < sizeB) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    size[ra] = sizeA + sizeB;
  }

  /**
   * The items grouped by set (item i is index i), each group in index order,
   * groups in the order of their smallest index. Each group is allocated at
   * its final size: a root's set size is its group's size.
   */
  groupsOf<T>(items: readonly T[]): T[][] {
    const n = this.parent.length;
    const groupOfRoot = new Int32Array(n).fill(-1);
    const filled = new Int32Array(n);
    const groups: T[][] = [];
    for (let i = 0; i < n; i++) {
      const root = this.find(i);
      let g = groupOfRoot[root] ?? outOfRange(groupOfRoot, root);
      if (g === -1) {
        g = groupOfRoot[root] = groups.length;
        groups.push(new Array<T>(this.size[root] ?? outOfRange(this.size, root)));
      }
      const place = filled[g] ?? outOfRange(filled, g);
      filled[g] = place + 1;
      at(groups, g)[place] = at(items, i);
    }
    return groups;
  }
}
