"""Compare lunar-calendar libraries for the statutory holidays (issue: calendar after 2026).

Festival days (lunar 1/1, 5/5, 8/15) against the official holiday sets shipped by chinese-calendar
(2004-2026), agreement with the majority of the libraries over 1901-2099, the year range each accepts,
and the Qingming solar term. The candidates are not project dependencies; install them aside first:

    pip download --no-deps -d /tmp/lunardl lunardate zhdate borax cnlunar lunarcalendar lunar-python chinese-calendar
    pip install --no-deps --target /tmp/lunarcmp /tmp/lunardl/*
    PYTHONPATH=/tmp/lunarcmp python bench/lunar_libraries.py
"""
import datetime as dt, time, importlib, sys
import chinese_calendar as cc
from chinese_calendar import constants as C

def ld_lunardate(y,m,d):
    from lunardate import LunarDate; return LunarDate(y,m,d,False).toSolarDate()
def ld_zhdate(y,m,d):
    from zhdate import ZhDate; return ZhDate(y,m,d).to_datetime().date()
def ld_borax(y,m,d):
    from borax.calendars.lunardate import LunarDate; return LunarDate(y,m,d,0).to_solar_date()
def ld_lunarcalendar(y,m,d):
    from lunarcalendar import Converter, Lunar; s=Converter.Lunar2Solar(Lunar(y,m,d,isleap=False)); return s.to_date()
def ld_lunar_python(y,m,d):
    from lunar_python import Lunar; s=Lunar.fromYmd(y,m,d).getSolar(); return dt.date(s.getYear(),s.getMonth(),s.getDay())
def ld_cnlunar(y,m,d):
    # cnlunar converts solar->lunar only: search around the expected window
    import cnlunar
    start = dt.date(y,1,1) if m>1 else dt.date(y,1,15)
    day = start
    for _ in range(400):
        l = cnlunar.Lunar(dt.datetime(day.year,day.month,day.day))
        if l.lunarYear==y and l.lunarMonth==m and l.lunarDay==d and not l.isLunarLeapMonth: return day
        day += dt.timedelta(days=1)
    raise ValueError('not found')
LIBS = {"lunardate": ld_lunardate, "zhdate": ld_zhdate, "borax": ld_borax, "lunarcalendar": ld_lunarcalendar,
        "lunar_python": ld_lunar_python, "cnlunar": ld_cnlunar}
FEST = {"Spring Festival": (1,1), "Dragon Boat Festival": (5,5), "Mid-autumn Festival": (8,15)}
official = {}
for day, name in C.holidays.items():
    official.setdefault((day.year, name), set()).add(day)
res = {}
for lib, f in LIBS.items():
    t=time.perf_counter(); ok=bad=err=0; mism=[]; rng=[]
    for y in range(2004, 2027):
        for name,(m,d) in FEST.items():
            if name!="Spring Festival" and y<2008: continue
            try: s=f(y,m,d)
            except Exception as e: err+=1; continue
            if s in official.get((y,name),set()): ok+=1
            else: bad+=1; mism.append((y,name,s))
    # range probe
    lo=hi=None
    for y in list(range(1800,1901))+list(range(2090,2301)):
        try: f(y,1,1); lo = y if lo is None or y<lo else lo; hi = y if hi is None or y>hi else hi
        except Exception: pass
    el=time.perf_counter()-t
    res[lib]=(ok,bad,err,lo,hi,round(el,2),mism[:3])
    print(lib, "official 2004-2026 festival days ok/bad/err", ok,bad,err, "range probe", lo,hi, "secs", round(el,2), mism[:3], flush=True)
# pairwise agreement 1901-2099 on 1/1, 5/5, 8/15 and the day before 1/1 of next year
years = range(1901, 2100)
vals = {}
for lib,f in LIBS.items():
    if lib=="cnlunar": years_l = range(1901,2100,7)
    else: years_l = years
    for y in years_l:
        for m,d in [(1,1),(5,5),(8,15)]:
            try: vals[(lib,y,m,d)] = f(y,m,d)
            except Exception: vals[(lib,y,m,d)] = None
from collections import Counter
dis = Counter(); tot=Counter()
for y in years:
    for m,d in [(1,1),(5,5),(8,15)]:
        votes = Counter(v for (l,yy,mm,dd),v in vals.items() if (yy,mm,dd)==(y,m,d) and v is not None)
        if not votes: continue
        maj = votes.most_common(1)[0][0]
        for lib in LIBS:
            v = vals.get((lib,y,m,d), 'skip')
            if v=='skip': continue
            tot[lib]+=1
            if v!=maj: dis[lib]+=1; print("DIS",lib,y,m,d,v,maj)
print("disagreement with majority 1901-2099 (1/1,5/5,8/15):", {l:(dis[l],tot[l]) for l in LIBS})
# Qingming: chinese_calendar solar terms vs borax vs lunar_python vs official
def qm_cc(y):
    for d,t in cc.get_solar_terms(dt.date(y,4,1), dt.date(y,4,10)):
        if "清明" in str(t) or "Pure" in str(t): return d
def qm_borax(y):
    from borax.calendars.lunardate import TermUtils; return TermUtils.nth_term_day(y, term_name="清明")
def qm_lp(y):
    from lunar_python import Solar
    l = Solar.fromYmd(y,4,1).getLunar(); s = l.getJieQiTable()["清明"]; return dt.date(s.getYear(),s.getMonth(),s.getDay())
for nm,f in [("chinese_calendar",qm_cc),("borax",qm_borax),("lunar_python",qm_lp)]:
    ok=bad=0
    for y in range(2008,2027):
        (ok:=ok+1) if f(y) in official.get((y,"Tomb-sweeping Day"),set()) else (bad:=bad+1)
    print("qingming", nm, "official ok/bad", ok, bad, "2027-2035:", [f(y).isoformat() for y in range(2027,2036)])
