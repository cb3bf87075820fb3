/* expand_libical: list every occurrence of every VEVENT in an .ics file, using
 * libical (the parser behind Evolution) and its RRULE iterator.
 *
 *   gcc -O1 expand_libical.c $(pkg-config --cflags --libs libical) -o expand_libical
 *   ./expand_libical FILE.ics FROM TO        (FROM/TO: YYYY-MM-DDTHH:MM:SSZ)
 *
 * Output (sorted, one line per occurrence whose start is in [FROM, TO)):
 *   UID \t START \t END \t STATUS \t SUMMARY
 * START/END are UTC "YYYY-MM-DDTHH:MM:SSZ", or "YYYY-MM-DD" for all-day events.
 * An all-day date counts as its 00:00 UTC for the window test.
 *
 * libical only iterates the RRULE; the rest of RFC 5545's recurrence set is
 * done here: RDATEs are added (with their own TZID), EXDATEs removed
 * (compared as instants, so "EXDATE:...Z" matches a TZID occurrence), and a
 * RECURRENCE-ID override replaces the instance that starts at the same instant.
 * Times with a TZID are converted with the file's own VTIMEZONE
 * (icalcomponent_get_timezone), falling back to libical's builtin zone of that
 * IANA name (system tzdata on Debian).  Exit 2 on usage or input errors.
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXOCC 200000

typedef struct {
    const char *uid;
    long long start, end;   /* UTC seconds; all-day: 00:00 UTC of the date */
    int is_date;
    const char *status, *summary;
} Occ;

static Occ *occ;
static int nocc;
static icalcomponent *cal;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "expand_libical: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The zone a DATE-TIME property value is in: its TZID's VTIMEZONE from this
 * file, else libical's builtin zone of that name; NULL for UTC and floating. */
static icaltimezone *zone_of(icalproperty *p)
{
    icalparameter *par = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    if (!par)
        return NULL;
    const char *tzid = icalparameter_get_tzid(par);
    icaltimezone *z = icalcomponent_get_timezone(cal, tzid);
    if (!z)
        z = icaltimezone_get_builtin_timezone(tzid);
    if (!z)  /* never let it silently become UTC (see NOTES-deps.md) */
        die("unknown TZID", tzid);
    return z;
}

/* Instant of a time value (wall clock + zone) in our canonical seconds. */
static long long instant(struct icaltimetype t, icaltimezone *z)
{
    if (t.is_date)
        return days_from_civil(t.year, t.month, t.day) * 86400LL;
    if (icaltime_is_utc(t) || !z)  /* floating times are read as UTC */
        return (long long)icaltime_as_timet_with_zone(t, icaltimezone_get_utc_timezone());
    return (long long)icaltime_as_timet_with_zone(t, z);
}

static long long prop_instant(icalproperty *p, struct icaltimetype t)
{
    return instant(t, zone_of(p));
}

/* DTSTART, end and duration of a VEVENT: DTEND, else DURATION, else RFC 5545's
 * default (one day for a DATE, zero for a DATE-TIME). */
static void span(icalcomponent *ev, long long *start, long long *end, int *is_date,
                 struct icaltimetype *dtstart, icaltimezone **zone)
{
    icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    if (!ps)
        die("VEVENT without DTSTART", icalcomponent_get_uid(ev));
    struct icaltimetype t = icalproperty_get_dtstart(ps);
    *zone = zone_of(ps);
    *dtstart = t;
    *is_date = t.is_date;
    *start = instant(t, *zone);
    icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
    icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
    if (pe)
        *end = prop_instant(pe, icalproperty_get_dtend(pe));
    else if (pd)
        *end = *start + icaldurationtype_as_int(icalproperty_get_duration(pd));
    else
        *end = *start + (t.is_date ? 86400 : 0);
}

static const char *status_of(icalcomponent *ev)
{
    /* read the property: icalcomponent_get_status() returns 0, not
     * ICAL_STATUS_NONE, when STATUS is absent (libical 3.0.16) */
    icalproperty *p = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
    return p ? icalproperty_get_value_as_string(p) : "CONFIRMED";
}

static const char *summary_of(icalcomponent *ev)
{
    const char *s = icalcomponent_get_summary(ev);
    return s ? s : "";
}

static void add(const char *uid, long long start, long long end, int is_date,
                const char *status, const char *summary)
{
    if (nocc == MAXOCC)
        die("too many occurrences", uid);
    occ[nocc++] = (Occ){uid, start, end, is_date, status, summary};
}

static int has_instant(int from, long long t)
{
    for (int i = from; i < nocc; i++)
        if (occ[i].start == t)
            return 1;
    return 0;
}

/* All instances of one master VEVENT (plus its overrides) into occ[]. */
static void expand_master(icalcomponent *ev, long long horizon)
{
    const char *uid = icalcomponent_get_uid(ev);
    long long start, end;
    int is_date;
    struct icaltimetype dtstart;
    icaltimezone *zone;
    span(ev, &start, &end, &is_date, &dtstart, &zone);
    long long dur = end - start;
    int first = nocc;
    /* read these once: libical has one property iterator per component, and
     * looking up STATUS/SUMMARY inside the RDATE loop would reset it */
    const char *status = status_of(ev), *summary = summary_of(ev);

    /* Overrides may move an instance from beyond TO into the window: iterate
     * far enough to reach every RECURRENCE-ID of this UID. */
    for (icalcomponent *o = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); o;
         o = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *r = icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY);
        if (r && strcmp(icalcomponent_get_uid(o), uid) == 0) {
            long long rid = prop_instant(r, icalproperty_get_recurrenceid(r));
            if (rid + 86400 > horizon)
                horizon = rid + 86400;
        }
    }

    /* DTSTART is an instance when there is no RRULE; with one, only when the
     * iterator yields it (as icalcomponent_foreach_recurrence does), which it
     * does unless DTSTART is off the rule -- undefined in RFC 5545. */

    /* The RRULE.  DTSTART must carry its zone: with a floating DTSTART,
     * libical 3.0.16 compares a UTC UNTIL with the wall clock (UNTIL=...120000Z
     * then still yields 09:00 EDT = 13:00Z).  The iterator returns wall-clock
     * times in DTSTART's zone; each is converted with that zone.  (Known
     * libical quirk: a nonexistent local time in a DST gap moves to the hour
     * after it, and the next day's instance too; see samples/disagree.) */
    icalproperty *rp = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
    if (rp) {
        if (zone)
            dtstart = icaltime_set_timezone(&dtstart, zone);
        icalrecur_iterator *it = icalrecur_iterator_new(icalproperty_get_rrule(rp), dtstart);
        if (!it)
            die("bad RRULE", uid);
        for (struct icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
             t = icalrecur_iterator_next(it)) {
            long long s = instant(t, zone);
            if (s >= horizon)
                break;
            if (!has_instant(first, s))
                add(uid, s, s + dur, is_date, status, summary);
        }
        icalrecur_iterator_free(it);
    } else {
        add(uid, start, start + dur, is_date, status, summary);
    }

    /* RDATE adds instances (each value is its own property in libical) */
    for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_RDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_RDATE_PROPERTY)) {
        struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
        struct icaltimetype t = icaltime_is_null_time(dp.time) ? dp.period.start : dp.time;
        long long s = prop_instant(p, t);
        if (!has_instant(first, s))
            add(uid, s, s + dur, is_date, status, summary);
    }

    /* EXDATE removes instances, matched by instant */
    for (icalproperty *p = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
        long long x = prop_instant(p, icalproperty_get_exdate(p));
        for (int i = first; i < nocc; i++)
            if (occ[i].start == x)
                occ[i--] = occ[--nocc];
    }

    /* RECURRENCE-ID overrides replace the instance starting at that instant.
     * One that matches no instance is still listed (and reported), so that
     * compare.py shows clients that drop it. */
    int generated = nocc;
    for (icalcomponent *o = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); o;
         o = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *r = icalcomponent_get_first_property(o, ICAL_RECURRENCEID_PROPERTY);
        if (!r || strcmp(icalcomponent_get_uid(o), uid) != 0)
            continue;
        long long rid = prop_instant(r, icalproperty_get_recurrenceid(r));
        long long os, oe;
        int od;
        struct icaltimetype ot;
        icaltimezone *oz;
        span(o, &os, &oe, &od, &ot, &oz);
        int i;
        for (i = first; i < generated && occ[i].start != rid; i++)
            ;
        if (i == generated) {
            fprintf(stderr, "expand_libical: %s: RECURRENCE-ID matches no instance; listed anyway\n", uid);
            add(uid, os, oe, od, status_of(o), summary_of(o));
        } else {
            occ[i] = (Occ){uid, os, oe, od, status_of(o), summary_of(o)};
        }
    }
}

static long long parse_utc(const char *s)
{
    int y, mo, d, h, mi, se;
    char z;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z')
        die("time must look like 2025-01-31T00:00:00Z", s);
    return days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se;
}

/* Canonical text: UTC instant or DATE, and the summary with \ TAB LF CR escaped */
static void put_time(char *buf, long long t, int is_date)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 32, is_date ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static char *line_of(const Occ *o)
{
    char s[32], e[32];
    put_time(s, o->start, o->is_date);
    put_time(e, o->end, o->is_date);
    size_t n = strlen(o->uid) + 2 * strlen(o->summary) + strlen(o->status) + 100;
    char *out = malloc(n), *p;
    p = out + sprintf(out, "%s\t%s\t%s\t%s\t", o->uid, s, e, o->status);
    for (const char *c = o->summary; *c; c++) {
        switch (*c) {
        case '\\': *p++ = '\\'; *p++ = '\\'; break;
        case '\t': *p++ = '\\'; *p++ = 't'; break;
        case '\n': *p++ = '\\'; *p++ = 'n'; break;
        case '\r': *p++ = '\\'; *p++ = 'r'; break;
        default: *p++ = *c;
        }
    }
    *p = 0;
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: expand_libical FILE.ics FROM TO  (times as 2025-01-31T00:00:00Z)\n");
        return 2;
    }
    long long from = parse_utc(argv[2]), to = parse_utc(argv[3]);

    FILE *f = fopen(argv[1], "rb");
    if (!f)
        die("cannot open", argv[1]);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = malloc(size + 1);
    if (fread(text, 1, size, f) != (size_t)size)
        die("cannot read", argv[1]);
    text[size] = 0;
    fclose(f);

    cal = icalparser_parse_string(text);
    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT)
        die("not a VCALENDAR", argv[1]);
    occ = malloc(sizeof(Occ) * MAXOCC);

    /* Collect the VEVENTs first: expand_master walks the component list
     * with libical's one internal iterator, so loops must not nest. */
    int nev = icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), k = 0;
    icalcomponent **evs = malloc(sizeof(*evs) * (nev + 1));
    for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
        evs[k++] = ev;

    for (int i = 0; i < nev; i++)
        if (!icalcomponent_get_uid(evs[i]))
            die("VEVENT without UID", NULL);

    for (int i = 0; i < nev; i++) {
        icalcomponent *ev = evs[i];
        if (!icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY)) {
            expand_master(ev, to);
            continue;
        }
        /* an override whose master is not in the file is a plain event */
        int has_master = 0;
        for (int j = 0; j < nev; j++)
            if (!icalcomponent_get_first_property(evs[j], ICAL_RECURRENCEID_PROPERTY) &&
                strcmp(icalcomponent_get_uid(evs[j]), icalcomponent_get_uid(ev)) == 0)
                has_master = 1;
        if (!has_master) {
            long long s, e;
            int d;
            struct icaltimetype t;
            icaltimezone *z;
            span(ev, &s, &e, &d, &t, &z);
            add(icalcomponent_get_uid(ev), s, e, d, status_of(ev), summary_of(ev));
        }
    }

    char **lines = malloc(sizeof(char *) * (nocc + 1));
    int n = 0;
    for (int i = 0; i < nocc; i++)
        if (occ[i].start >= from && occ[i].start < to)
            lines[n++] = line_of(&occ[i]);
    qsort(lines, n, sizeof(char *), cmp_str);
    for (int i = 0; i < n; i++) {
        printf("%s\n", lines[i]);
        free(lines[i]);
    }
    /* freed so that the sanitizer build's LeakSanitizer (deploy/run-sanitizers.sh) stays quiet */
    free(lines);
    free(evs);
    free(text);
    return 0;
}
