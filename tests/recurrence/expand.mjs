#!/usr/bin/env node
// expand.mjs icaljs|nodeical FILE.ics FROM TO
//
// Lists every occurrence of every VEVENT as ical.js (Mozilla/Thunderbird) or
// node-ical (used by many Node dashboards) expands it, in the canonical format
// shared with expand_libical.c and expand.py (one sorted line per occurrence
// whose start is in [FROM, TO)):
//   UID \t START \t END \t STATUS \t SUMMARY
// START/END: UTC "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DD" for all-day events
// (which count as their 00:00 UTC for the window test).
// Exit 0 ok, 2 usage/input error, 3 when node or the npm module is missing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [mode, file, fromArg, toArg] = process.argv.slice(2);
if (!['icaljs', 'nodeical'].includes(mode) || !toArg) {
  console.error('usage: node expand.mjs icaljs|nodeical FILE.ics FROM TO  (times as 2025-01-31T00:00:00Z)');
  process.exit(2);
}
const parseUtc = (s) => {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(s)) {
    console.error(`expand.mjs: time must look like 2025-01-31T00:00:00Z: ${s}`);
    process.exit(2);
  }
  return Date.parse(s);
};
const FROM = parseUtc(fromArg), TO = parseUtc(toArg);
const DAY = 86400000;

// The npm packages are not in this repo: install-validators puts them next to
// shared/tools, or in ~/.cache/feed-validators when that folder is read-only.
const here = path.dirname(fileURLToPath(import.meta.url));
const roots = [
  process.env.FEED_VALIDATORS_NODE_MODULES,
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'feed-validators', 'node_modules'),
  '/work/shared/tools/node_modules',
  path.resolve(here, '..', '..', '..', 'shared', 'tools', 'node_modules'),  // CI: shared/ beside the clone
].filter(Boolean);
function resolveModule(name) {
  for (const r of roots) {
    try {
      return createRequire(path.join(r, 'x.js')).resolve(name);
    } catch (e) { /* try the next root */ }
  }
  console.error(`expand.mjs: npm module ${name} not found in ${roots.join(', ')}`);
  process.exit(3);
}

const text = fs.readFileSync(file, 'utf8');
const occurrences = [];  // {uid, start, end (ms; all-day: 00:00 UTC), isDate, status, summary}

// Instants of all-day values are kept as 00:00 UTC of the date.
const dayOfFields = (y, m, d) => Date.UTC(y, m - 1, d);

async function expandIcaljs() {
  const ICAL = (await import(pathToFileURL(resolveModule('ical.js')).href)).default;
  // ical.js resolves each TZID from the VTIMEZONE in the same file (as Thunderbird does).
  const cal = new ICAL.Component(ICAL.parse(text));
  const vevents = cal.getAllSubcomponents('vevent');
  const ms = (t) => (t.isDate ? dayOfFields(t.year, t.month, t.day) : t.toUnixTime() * 1000);
  const push = (uid, start, end, comp) => occurrences.push({
    uid, start: ms(start), end: ms(end), isDate: start.isDate,
    status: comp.getFirstPropertyValue('status') || 'CONFIRMED',
    summary: comp.getFirstPropertyValue('summary') || '',
  });
  const uidOf = (c) => c.getFirstPropertyValue('uid');
  const masters = new Set(vevents.filter((c) => !c.hasProperty('recurrence-id')).map(uidOf));
  for (const comp of vevents) {
    const uid = uidOf(comp);
    if (comp.hasProperty('recurrence-id')) {
      if (!masters.has(uid)) {  // an override without its master is a plain event
        const ev = new ICAL.Event(comp, { exceptions: [] });
        push(uid, ev.startDate, ev.endDate, comp);
      }
      continue;
    }
    // Pitfall: new ICAL.Event(comp) alone relates *every* RECURRENCE-ID
    // VEVENT of the calendar, whatever its UID, as an exception of this
    // event; pass this UID's overrides explicitly.
    const overrides = vevents.filter((c) => uidOf(c) === uid && c.hasProperty('recurrence-id'));
    const ev = new ICAL.Event(comp, { exceptions: overrides, strictExceptions: true });
    // Iterate far enough to reach every RECURRENCE-ID: an override may move
    // an instance from beyond TO into the window.
    const horizon = Math.max(TO, ...overrides.map((o) => ms(o.getFirstPropertyValue('recurrence-id')) + DAY));
    if (!ev.isRecurring()) {
      push(uid, ev.startDate, ev.endDate, comp);
      continue;
    }
    // iterator() yields the RECURRENCE-IDs in order (RRULE and RDATE less
    // EXDATE; DTSTART only when the RRULE produces it, see samples/disagree);
    // getOccurrenceDetails() swaps in the override for one, if any.  An
    // override whose RECURRENCE-ID is never yielded is silently dropped.
    const it = ev.iterator();
    for (let rid = it.next(); rid && ms(rid) < horizon; rid = it.next()) {
      const d = ev.getOccurrenceDetails(rid);
      push(uid, d.startDate, d.endDate, d.item.component);
    }
  }
}

async function expandNodeical() {
  const require = createRequire(import.meta.url);
  const nodeIcal = require(resolveModule('node-ical'));
  const data = nodeIcal.sync.parseICS(text);
  // node-ical makes JS Dates.  Timed values are real instants (it converts
  // the TZID with the IANA database, not the file's VTIMEZONE).  All-day
  // values are midnight in the *process's* time zone, so they must be read
  // with local getters, never toISOString().
  const dayKey = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const ms = (d, isDate) => (isDate ? dayOfFields(d.getFullYear(), d.getMonth() + 1, d.getDate()) : d.getTime());
  const str = (v) => (v && typeof v === 'object' ? v.val : v);  // "SUMMARY;LANGUAGE=de:x" gives {params, val}
  // node-ical 0.26 does not read RDATE (it keeps the raw text), so its values
  // are parsed here with node-ical's own DTSTART parser: a real node-ical
  // client would not show RDATE instances at all.
  const rdates = (ev) => {
    const out = [];
    for (const r of [].concat(ev.rdate || [])) {
      const params = typeof r === 'object' ? Object.entries(r.params || {}).map(([k, v]) => `;${k}=${v}`).join('') : '';
      for (const v of String(str(r)).split(',')) {
        const one = nodeIcal.sync.parseICS(`BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:r\r\nDTSTART${params}:${v.trim()}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);
        out.push(one.r.start);
      }
    }
    return out;
  };
  for (const ev of Object.values(data)) {
    if (ev.type !== 'VEVENT') continue;
    const isDate = Boolean(ev.start.dateOnly) || ev.datetype === 'date';
    const base = { uid: ev.uid, isDate, status: ev.status || 'CONFIRMED', summary: str(ev.summary) || '' };
    const start0 = ms(ev.start, isDate);
    const dur = ms(ev.end, isDate) - start0;
    if (!ev.rrule && !ev.rdate) {  // single event, or an override without master
      occurrences.push({ ...base, start: start0, end: start0 + dur });
      continue;
    }
    // node-ical merges overrides into the master's `recurrences`, keyed by
    // date ("2025-04-07", for all-day) and by instant (ISO, for timed).
    // Timed events use only the instant key: the date key would also hit
    // another instance on the same day.
    const overrides = Object.entries(ev.recurrences || {}).filter(([k]) => (isDate ? !k.includes('T') : k.includes('T')));
    const horizon = Math.max(TO, ...overrides.map(([, o]) => ms(o.recurrenceid, isDate) + DAY));
    let starts = ev.rrule ? ev.rrule.between(new Date(Math.min(FROM, start0) - DAY), new Date(horizon), true) : [ev.start];
    starts = starts.concat(rdates(ev));
    const seen = new Set();
    for (const s of starts) {
      const key = isDate ? dayKey(s) : s.toISOString();
      if (seen.has(key) || (ev.exdate && ev.exdate[key])) continue;
      seen.add(key);
      const o = ev.recurrences && ev.recurrences[key];
      if (o) {  // an override: its own start, end, status and summary
        occurrences.push({ uid: ev.uid, isDate, start: ms(o.start, isDate), end: ms(o.end, isDate),
          status: o.status || 'CONFIRMED', summary: str(o.summary) || '' });
      } else {
        occurrences.push({ ...base, start: ms(s, isDate), end: ms(s, isDate) + dur });
      }
    }
  }
}

try {
  await (mode === 'icaljs' ? expandIcaljs() : expandNodeical());
} catch (e) {
  console.error(`expand.mjs ${mode}: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
}

const fmt = (t, isDate) => new Date(t).toISOString().slice(0, isDate ? 10 : 19) + (isDate ? '' : 'Z');
const esc = (s) => String(s).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]);
const lines = occurrences
  .filter((o) => o.start >= FROM && o.start < TO)
  .map((o) => [o.uid, fmt(o.start, o.isDate), fmt(o.end, o.isDate), o.status, esc(o.summary)].join('\t'))
  .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));  // byte order, like the C and Python ones
for (const l of lines) process.stdout.write(l + '\n');
