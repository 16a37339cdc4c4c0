#include "core/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace keel::core {

Histogram::Histogram(std::span<const uint64_t> bounds)
    : bounds_(bounds), counts_(new Counter[bounds.size() + 1]) {}

HistogramTotals::HistogramTotals(std::span<const uint64_t> b)
    : bounds(b), counts(new uint64_t[b.size() + 1]()) {}

void HistogramTotals::Add(const Histogram& h) {
  for (size_t i = 0; i <= bounds.size(); ++i) counts[i] += h.count(i);
  sum += h.sum();
}

void HistogramTotals::Add(const Counter* c, uint64_t s) {
  for (size_t i = 0; i <= bounds.size(); ++i) counts[i] += c[i].Get();
  sum += s;
}

bool HistogramTotals::empty() const {
  for (size_t i = 0; i <= bounds.size(); ++i)
    if (counts[i] != 0) return false;
  return true;
}

void AppendLabelValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void PromText::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PromText::Name(std::string_view name, std::string_view suffix,
                    std::initializer_list<Label> labels, const Label* extra) {
  out_ += name;
  out_ += suffix;
  if (labels.size() == 0 && extra == nullptr) return;
  out_ += '{';
  bool first = true;
  auto add = [&](const Label& l) {
    if (!first) out_ += ',';
    first = false;
    out_ += l.first;
    out_ += "=\"";
    AppendLabelValue(out_, l.second);
    out_ += '"';
  };
  for (const Label& l : labels) add(l);
  if (extra != nullptr) add(*extra);
  out_ += '}';
}

void PromText::Number(double v) {
  if (std::isinf(v)) {
    out_ += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  out_.append(buf, static_cast<size_t>(r.ptr - buf));
}

void PromText::Sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value) {
  Name(name, "", labels, nullptr);
  out_ += ' ';
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, static_cast<size_t>(r.ptr - buf));
  out_ += '\n';
}

void PromText::Sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  Name(name, "", labels, nullptr);
  out_ += ' ';
  Number(value);
  out_ += '\n';
}

void PromText::HistogramSamples(std::string_view name, std::initializer_list<Label> labels,
                                const HistogramTotals& h, double divisor) {
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; i <= h.bounds.size(); ++i) {
    cumulative += h.counts[i];
    le.clear();
    if (i == h.bounds.size()) {
      le = "+Inf";
    } else {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, static_cast<double>(h.bounds[i]) / divisor,
                             std::chars_format::general);
      le.assign(buf, static_cast<size_t>(r.ptr - buf));
    }
    Label extra{"le", le};
    Name(name, "_bucket", labels, &extra);
    out_ += ' ';
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, cumulative);
    out_.append(buf, static_cast<size_t>(r.ptr - buf));
    out_ += '\n';
  }
  Name(name, "_sum", labels, nullptr);
  out_ += ' ';
  Number(static_cast<double>(h.sum) / divisor);
  out_ += '\n';
  Name(name, "_count", labels, nullptr);
  out_ += ' ';
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, cumulative);
  out_.append(buf, static_cast<size_t>(r.ptr - buf));
  out_ += '\n';
}

}  // namespace keel::core
