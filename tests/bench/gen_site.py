#!/usr/bin/python3
"""Writes a deterministic, realistic event site: N pages with front matter like the seed page
(educenter schema), 1-6 KB Chinese and English Markdown bodies, 5% drafts, varied zones and date
forms. Usage: gen_site.py OUT_DIR N [SEED]"""
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)

CITIES = [("北京", "Beijing, China", "Asia/Shanghai", "+08:00"), ("上海", "Shanghai, China", "Asia/Shanghai", "+08:00"),
          ("深圳", "Shenzhen, China", "Asia/Shanghai", "+08:00"), ("New York", "New York, USA", "America/New_York", None),
          ("Berlin", "Berlin, Germany", "Europe/Berlin", None), ("Tokyo", "Tokyo, Japan", "Asia/Tokyo", "+09:00"),
          ("São Paulo", "São Paulo, Brazil", "America/Sao_Paulo", None), ("Online", "Online", "UTC", "Z")]
TOPICS = ["Service Mesh", "Cloud Native", "Kubernetes", "Observability", "eBPF", "WebAssembly"]
NAMES = ["敖小剑", "宋净超", "Jimmy Song", "赵化冰", "Alice Chen", "Bob Smith", "黄挺", "周涛", "Carol Diaz", "Li Wei"]
ROLES = ["蚂蚁集团高级技术专家", "Tetrate 布道师", "Staff Engineer at Example Corp", "阿里云技术专家", "Maintainer of Istio"]
ZH = ("本次活动将深入探讨服务网格在超大规模生产环境中的落地实践，包括控制面性能优化、数据面资源开销、"
      "多集群治理以及可观测性建设。欢迎各位开发者报名参加，现场交流。")
EN = ("This meetup covers running a service mesh at very large scale: control-plane performance, data-plane "
      "overhead, multi-cluster governance and observability. Bring your questions; slides will be shared after the event. ")


def body(i):
    size = rng.randint(1024, 6 * 1024)
    parts = ["## 关于本次活动\n", f"时间：活动第 {i} 场\n", "地点：会议中心 3 楼\n", "\n## Agenda\n"]
    total = 0
    k = 0
    while total < size:
        k += 1
        para = (ZH if k % 2 else EN) * rng.randint(1, 3)
        if k % 5 == 0:
            para = f"- [{rng.choice(TOPICS)} talk {k}](/slides/{i}-{k}.pdf) by **{rng.choice(NAMES)}**\n- 茶歇 `break` ~~cancelled~~\n"
        parts.append(para + "\n\n")
        total += len(para.encode())
    return "".join(parts)


def date_value(i, city):
    year = 2015 + i % 13
    month = 1 + (i * 7) % 12
    day = 1 + (i * 13) % 28
    hour = 9 + i % 10
    form = i % 4
    if form == 0 and city[3]:
        return f"{year}-{month:02d}-{day:02d}T{hour:02d}:00:00{city[3]}", None
    if form == 1:
        return f"{year}-{month:02d}-{day:02d}T{hour:02d}:30:00", city[2]
    if form == 2:
        return f"'{year}-{month:02d}-{day:02d} {hour:02d}:00:00'", city[2]
    return f"{year}-{month:02d}-{day:02d}T{hour}:00:00", city[2]


for i in range(n):
    city = rng.choice(CITIES)
    lang = "zh" if i % 3 else "en"
    d = os.path.join(out, lang, "event", f"{i // 1000:03d}")
    os.makedirs(d, exist_ok=True)
    start, tz = date_value(i, city)
    speakers = "".join(f'  - name: "{rng.choice(NAMES)}"\n    designation: "{rng.choice(ROLES)}"\n'
                       for _ in range(rng.randint(1, 6)))
    fm = [f'title: "{rng.choice(TOPICS)} Meetup #{i} {city[0]}站"', f"date: {start}"]
    if tz:
        fm.append(f"timezone: {tz}")
    if i % 3 == 0:
        fm.append("duration: 3h")
    fm += [f"draft: {'true' if i % 20 == 7 else 'false'}", f'description: "Meetup {i} in {city[1]}"',
           f'image: "images/events/meetup-{i}.jpg"', f'location: "{city[1]}"', 'fee: "Free"',
           f'topic: "{rng.choice(TOPICS)}"', 'sponsor: "[ServiceMesher](https://www.servicemesher.com)"',
           f'apply_url: "https://example.org/apply/{i}"', "speaker:", speakers.rstrip("\n"), 'type: "event"']
    with open(os.path.join(d, f"meetup-{i:06d}.md"), "w", encoding="utf-8") as f:
        f.write("---\n" + "\n".join(fm) + "\n---\n\n" + body(i))
