#!/usr/bin/env python3
"""Compares two run output folders (sweeps, transitions) made by two builds: every file byte for byte (manifest.json,
report.html, Spark's .crc and _SUCCESS markers and Parquet folders aside, whose part names are random), and
summary.json value by value, listing new keys, keys gone and changed values.

    jobs/compare-runs.py OLD_FOLDER NEW_FOLDER
"""
import json, sys, os, filecmp, hashlib
a, b = sys.argv[1], sys.argv[2]
def walk(d):
    out = {}
    for root, _, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, d)] = p
    return out
fa, fb = walk(a), walk(b)
diff = []
for rel in sorted(set(fa) | set(fb)):
    if rel.endswith(('manifest.json', 'report.html', '.crc', '_SUCCESS')) or '.parquet/' in rel:
        continue
    if rel not in fa or rel not in fb:
        diff.append(('only in ' + ('new' if rel in fb else 'old'), rel)); continue
    if rel.endswith('summary.json'):
        ja, jb = json.load(open(fa[rel])), json.load(open(fb[rel]))
        def flat(x, p=''):
            if isinstance(x, dict):
                r = {}
                for k, v in x.items(): r.update(flat(v, p + '/' + k))
                return r
            if isinstance(x, list):
                r = {}
                for i, v in enumerate(x): r.update(flat(v, p + '/' + str(i)))
                return r
            return {p: x}
        xa, xb = flat(ja), flat(jb)
        for k in sorted(set(xa) | set(xb)):
            if k not in xb: diff.append(('summary key gone', rel + k))
            elif k not in xa: print('new key', rel + k, '=', xb[k])
            elif xa[k] != xb[k]: diff.append(('summary value', rel + k, xa[k], xb[k]))
        continue
    if not filecmp.cmp(fa[rel], fb[rel], shallow=False):
        diff.append(('bytes differ', rel))
n = len([r for r in fa if not r.endswith(('manifest.json','report.html'))])
print('compared', n, 'files;', len(diff), 'differences')
for d in diff: print(*d)
