// SPDX-License-Identifier: MIT
// arrays-ref.js -- times the IMGArrays reference library under node, for
// dir-bench-arrays (same run, same data):
//
//   node arrays-ref.js INDEX_JS DATA_JSON CAPACITY LDECZEROES RUNS
//
// INDEX_JS is ../shared/imgarrays-reference/js/index.js, loaded as its README
// says (never copied).  Encode = prepareExportData(values, capacity,
// lDecZeroes): numbers to bytes.  Decode = the bytes' hex string (built
// outside the timing) split on 'f', then hexToNum on every token; and
// decode_full, the same preceded by building the hex string from the bytes
// with the reference decoder's own loop (3 bytes a pixel, toString(16),
// padStart, string concatenation).  Prints one line: encode_ms decode_ms
// count bytes decode_full_ms (medians of RUNS runs, in CPU time of the
// process, process.cpuUsage(); dir-bench-arrays runs node with
// --single-threaded, so that V8 compiles and collects garbage on this one
// thread and the figure compares with the C side's thread CPU time).
"use strict";
const fs = require("fs");
const [indexJs, dataJson, capS, ldzS, runsS] = process.argv.slice(2);
const src = fs.readFileSync(indexJs, "utf8");
const IMGArrays = new Function("window", "exports", src + ";return IMGArrays")({}, {});
const values = JSON.parse(fs.readFileSync(dataJson, "utf8"));
const capacity = Number(capS), lDecZeroes = ldzS === "1", runs = Math.max(1, Number(runsS));
const median = (t) => { t.sort((a, b) => a - b); return t[(t.length - 1) >> 1]; };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const ms = (t0) => cpu() - t0;
let bytes = null;
const enc = [];
for (let r = 0; r < runs; r++) {
    const t0 = cpu();
    bytes = IMGArrays.prepareExportData(values, capacity, lDecZeroes);
    enc.push(ms(t0));
}
let hex = "";
const parts = [];
for (let i = 0; i < bytes.length; i++) {
    parts.push(bytes[i].toString(16).padStart(2, "0"));
    if (parts.length === 65536) { hex += parts.join(""); parts.length = 0; }
}
hex += parts.join("");
const dec = [];
let out = null;
for (let r = 0; r < runs; r++) {
    const t0 = cpu();
    const tokens = hex.split("f");
    tokens.shift();
    for (let i = 0; i < tokens.length; i++)
        tokens[i] = IMGArrays.hexToNum(tokens[i], capacity, lDecZeroes);
    dec.push(ms(t0));
    out = tokens;
}
const full = [];
for (let r = 0; r < runs; r++) {
    const t0 = cpu();
    let stringRepresentation = "";
    for (let i = 0; i < bytes.length / 3; i++) {
        let pixelString = "";
        for (let c = 0; c < 3; c++) pixelString += bytes[i * 3 + c].toString(16).padStart(2, 0);
        stringRepresentation += pixelString;
    }
    const tokens = stringRepresentation.split("f");
    tokens.shift();
    for (let i = 0; i < tokens.length; i++)
        tokens[i] = IMGArrays.hexToNum(tokens[i], capacity, lDecZeroes);
    full.push(ms(t0));
    if (tokens.length !== out.length) throw new Error("decode_full: token count differs");
}
console.log(median(enc).toFixed(3), median(dec).toFixed(3), out.length, bytes.length,
            median(full).toFixed(3));
