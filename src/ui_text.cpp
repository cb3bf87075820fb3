#include "evfeed/ui_text.hpp"

#include <array>

#include "evfeed/text.hpp"

namespace evfeed {

namespace {

// Field order as in UiText.
const UiText catalogue[] = {
    {"en", "Subscribe", "Upcoming events", "Past events", "Copy", "Copied:", "Calendar URL", "Download .ics", "Sign up",
     "Cancelled", "all day", "Your time", "Add to calendar", "Scan to subscribe on a phone",
     "Older events are in the calendar and the feeds.", "More upcoming events are in the calendar and the feeds.",
     "Languages", "No upcoming events yet."},
    {"zh-Hans", "订阅", "即将举行的活动", "往期活动", "复制", "已复制：", "日历地址", "下载 .ics", "报名", "已取消",
     "全天", "您当地的时间", "添加到日历", "用手机扫码订阅", "更早的活动见日历和订阅源。",
     "更多即将举行的活动见日历和订阅源。", "语言", "暂无即将举行的活动。"},
    {"zh-Hant", "訂閱", "即將舉行的活動", "過往活動", "複製", "已複製：", "行事曆網址", "下載 .ics", "報名", "已取消",
     "全天", "您當地的時間", "加入行事曆", "用手機掃描以訂閱", "更早的活動請見行事曆與 RSS。",
     "更多即將舉行的活動請見行事曆與 RSS。", "語言", "目前沒有即將舉行的活動。"},
    {"ja", "購読", "今後のイベント", "過去のイベント", "コピー", "コピーしました：", "カレンダーの URL",
     ".ics をダウンロード", "申し込む", "中止", "終日", "現地時間", "カレンダーに追加",
     "スマートフォンで読み取って購読", "以前のイベントはカレンダーとフィードにあります。",
     "その他の今後のイベントはカレンダーとフィードにあります。", "言語", "今後のイベントはまだありません。"},
    {"de", "Abonnieren", "Kommende Veranstaltungen", "Vergangene Veranstaltungen", "Kopieren",
     "Kopiert:", "Kalender-URL", ".ics herunterladen", "Anmelden", "Abgesagt", "ganztägig", "Ihre Ortszeit",
     "Zum Kalender hinzufügen", "Zum Abonnieren mit dem Handy scannen",
     "Ältere Veranstaltungen stehen im Kalender und in den Feeds.",
     "Weitere kommende Veranstaltungen stehen im Kalender und in den Feeds.", "Sprachen",
     "Noch keine kommenden Veranstaltungen."},
    {"fr", "S’abonner", "Événements à venir", "Événements passés", "Copier", "Copié :", "Adresse du calendrier",
     "Télécharger le .ics", "S’inscrire", "Annulé", "toute la journée", "Votre heure locale", "Ajouter au calendrier",
     "Scanner pour s’abonner sur un téléphone", "Les événements plus anciens sont dans le calendrier et les flux.",
     "D’autres événements à venir sont dans le calendrier et les flux.", "Langues", "Aucun événement à venir."},
    {"es", "Suscribirse", "Próximos eventos", "Eventos pasados", "Copiar", "Copiado:", "URL del calendario",
     "Descargar .ics", "Inscribirse", "Cancelado", "todo el día", "Tu hora local", "Añadir al calendario",
     "Escanea para suscribirte en el móvil", "Los eventos anteriores están en el calendario y los feeds.",
     "Hay más próximos eventos en el calendario y los feeds.", "Idiomas", "Aún no hay próximos eventos."},
    {"pt", "Assinar", "Próximos eventos", "Eventos passados", "Copiar", "Copiado:", "URL do calendário", "Baixar .ics",
     "Inscrever-se", "Cancelado", "dia inteiro", "Seu horário local", "Adicionar à agenda",
     "Escaneie para assinar no celular", "Eventos mais antigos estão na agenda e nos feeds.",
     "Há mais próximos eventos na agenda e nos feeds.", "Idiomas", "Ainda não há próximos eventos."},
};

const UiText& english() { return catalogue[0]; }

// Field order as in EventLabels.
const EventLabels labels[] = {
    {"en", "When", "Next", "Repeats", "Status", "Tentative", "Where", "Fee", "Speakers", "Sponsor",
     "Add to calendar (.ics)", "Add to Google Calendar", "cancelled"},
    {"zh-Hans", "时间", "下一次", "重复", "状态", "待定", "地点", "费用", "讲者", "赞助", "添加到日历（.ics）",
     "添加到 Google 日历", "已取消"},
    {"zh-Hant", "時間", "下一次", "重複", "狀態", "暫定", "地點", "費用", "講者", "贊助", "加入行事曆（.ics）",
     "加入 Google 日曆", "已取消"},
    {"ja", "日時", "次回", "繰り返し", "ステータス", "仮予定", "場所", "参加費", "登壇者", "スポンサー",
     "カレンダーに追加（.ics）", "Google カレンダーに追加", "中止"},
    {"de", "Wann", "Nächster Termin", "Wiederholung", "Status", "Vorläufig", "Wo", "Gebühr", "Vortragende", "Sponsor",
     "Zum Kalender hinzufügen (.ics)", "Zu Google Kalender hinzufügen", "abgesagt"},
    {"fr", "Quand", "Prochaine date", "Récurrence", "Statut", "Provisoire", "Où", "Tarif", "Intervenants", "Sponsor",
     "Ajouter au calendrier (.ics)", "Ajouter à Google Agenda", "annulé"},
    {"es", "Cuándo", "Próxima fecha", "Se repite", "Estado", "Provisional", "Dónde", "Precio", "Ponentes",
     "Patrocinador", "Añadir al calendario (.ics)", "Añadir a Google Calendar", "cancelado"},
    {"pt", "Quando", "Próxima data", "Repete-se", "Status", "Provisório", "Onde", "Preço", "Palestrantes",
     "Patrocinador", "Adicionar à agenda (.ics)", "Adicionar ao Google Agenda", "cancelado"},
};

// "zh", "zh-CN", "zh-Hans-CN" -> zh-Hans; "zh-TW", "zh-HK", "zh-Hant" -> zh-Hant; else the
// primary subtag.
std::string catalogue_tag(std::string_view lang) {
  std::string l = to_lower_ascii(lang);
  for (char& c : l)
    if (c == '_') c = '-';
  if (starts_with(l, "zh")) {
    bool traditional = l.find("hant") != std::string::npos || l.find("-tw") != std::string::npos ||
                       l.find("-hk") != std::string::npos || l.find("-mo") != std::string::npos;
    return traditional ? "zh-Hant" : "zh-Hans";
  }
  return l.substr(0, l.find('-'));
}

struct DayNames {
  const char* tag;
  std::array<const char*, 7> weekdays;  // Sunday first
  std::array<const char*, 12> months;
};
const DayNames day_names[] = {
    {"en",
     {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"},
     {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}},
    {"de",
     {"So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."},
     {"Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."}},
    {"fr",
     {"dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."},
     {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}},
    {"es",
     {"dom", "lun", "mar", "mié", "jue", "vie", "sáb"},
     {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"}},
    {"pt",
     {"dom.", "seg.", "ter.", "qua.", "qui.", "sex.", "sáb."},
     {"jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."}},
};

std::string number(unsigned n) { return std::to_string(n); }

}  // namespace

const UiText& ui_text(std::string_view lang) {
  std::string tag = catalogue_tag(lang);
  for (const auto& t : catalogue)
    if (tag == t.lang) return t;
  return english();
}

const EventLabels& event_labels(std::string_view lang) {
  std::string tag = catalogue_tag(lang);
  for (const auto& l : labels)
    if (tag == l.lang) return l;
  return labels[0];
}

std::string label_before(const char* label, std::string_view lang) {
  std::string tag = catalogue_tag(lang);
  if (tag == "zh-Hans" || tag == "zh-Hant" || tag == "ja") return std::string(label) + "：";  // its own space
  return std::string(label) + (tag == "fr" ? "\u00a0: " : ": ");  // French: a no-break space before the colon
}

namespace {
// `full` is English's own long form; the other languages are written as on the page.
DateStyle style_for(std::string_view lang, DateStyle style) {
  return style == DateStyle::full && &ui_text(lang) != &english() ? DateStyle::compact : style;
}
}  // namespace

std::string format_day(date::local_days day, std::string_view lang, DateStyle style) {
  style = style_for(lang, style);
  if (style == DateStyle::full) return date::format("%A, %d %B %Y", day);  // the C locale's English
  date::year_month_day ymd{day};
  unsigned wd = date::weekday{day}.c_encoding(), d = static_cast<unsigned>(ymd.day()),
           m = static_cast<unsigned>(ymd.month());
  std::string y = std::to_string(static_cast<int>(ymd.year()));
  std::string tag = catalogue_tag(lang);
  if (tag == "zh-Hans" || tag == "zh-Hant" || tag == "ja") {
    static const char* hans[] = {"周日", "周一", "周二", "周三", "周四", "周五", "周六"};
    static const char* hant[] = {"週日", "週一", "週二", "週三", "週四", "週五", "週六"};
    static const char* ja[] = {"(日)", "(月)", "(火)", "(水)", "(木)", "(金)", "(土)"};
    std::string date = y + "年" + number(m) + "月" + number(d) + "日";
    return tag == "ja" ? date + ja[wd] : date + " " + (tag == "zh-Hans" ? hans : hant)[wd];
  }
  const DayNames* names = &day_names[0];
  for (const auto& n : day_names)
    if (tag == n.tag) names = &n;
  if (tag == "de") return std::string(names->weekdays[wd]) + ", " + number(d) + ". " + names->months[m - 1] + " " + y;
  return std::string(names->weekdays[wd]) + " " + number(d) + " " + names->months[m - 1] + " " + y;
}

std::string format_range(LocalSeconds start, LocalSeconds end, bool all_day, std::string_view lang, DateStyle style) {
  style = style_for(lang, style);
  auto first = date::floor<date::days>(start), last = date::floor<date::days>(end);
  std::string tag = catalogue_tag(lang);
  bool cjk = style == DateStyle::compact && (tag == "zh-Hans" || tag == "zh-Hant" || tag == "ja");
  if (all_day) {
    if (last - first <= date::days{1}) return format_day(first, lang, style);
    return format_day(first, lang, style) + " – " + format_day(last - date::days{1}, lang, style);
  }
  std::string sep = cjk ? " " : ", ";
  std::string s = format_day(first, lang, style) + sep + date::format("%H:%M", start);
  if (last == first) return s + "–" + date::format("%H:%M", end);
  return s + " – " + format_day(last, lang, style) + sep + date::format("%H:%M", end);
}

std::string format_event_time(const Event& e, SysSeconds start, SysSeconds end, std::string_view lang,
                              DateStyle style) {
  style = style_for(lang, style);
  std::string s = format_range(to_local(e.zone, start), to_local(e.zone, end), e.all_day, lang, style);
  bool full = style == DateStyle::full;
  if (e.all_day) return s + " (" + (full ? "all day" : ui_text(lang).all_day) + ")";
  std::string offset = "UTC" + format_offset(offset_at(e.zone, start), true);
  return full ? s + " (" + e.zone_name() + ", " + offset + ")" : s + " " + e.zone_name() + " (" + offset + ")";
}

}  // namespace evfeed
