#include "nabla/data/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace nabla {

namespace {

struct Field {
  std::string text;
  int line = 0, column = 0;  // of the field's first byte (its opening quote if quoted)
};

struct Record {
  std::vector<Field> fields;
  int line = 0;
  int end_line = 0, end_column = 0;  // just past the record's last byte
};

[[noreturn]] void fail(const std::string& source, int line, int column, const std::string& msg) {
  throw ParseError(detail::concat(source, ":", line, ":", column, ": ", msg), source, line, column);
}

std::string shorten(const std::string& s) { return s.size() <= 40 ? s : s.substr(0, 37) + "..."; }

// Splits the text into records of fields, with positions for error messages.
class Tokenizer {
 public:
  Tokenizer(std::string_view text, const std::string& source, char delim, size_t max_field)
      : t_(text), source_(source), delim_(delim), max_field_(max_field) {
    NABLA_CHECK(delim != '"' && delim != '\n' && delim != '\r', ValueError,
                "load_csv: the delimiter cannot be a quote or a newline");
    if (t_.substr(0, 3) == "\xEF\xBB\xBF") {  // UTF-8 BOM: not part of the first column's name
      i_ = 3;
      line_start_ = 3;
    }
  }

  // The next non-blank record; false at the end of the text.
  bool next(Record& r) {
    skip_blank_lines();
    if (i_ >= t_.size()) return false;
    r.fields.clear();
    r.line = line_;
    while (true) {
      r.fields.push_back(field());
      if (i_ < t_.size() && t_[i_] == delim_) {
        ++i_;
        continue;
      }
      r.end_line = line_;
      r.end_column = column();
      newline();
      return true;
    }
  }

 private:
  int column() const { return static_cast<int>(i_ - line_start_) + 1; }
  bool at_newline() const { return i_ < t_.size() && (t_[i_] == '\n' || t_[i_] == '\r'); }

  // Consumes one LF, CRLF or lone CR.
  void newline() {
    if (i_ >= t_.size()) return;
    if (t_[i_] == '\r' && i_ + 1 < t_.size() && t_[i_ + 1] == '\n') ++i_;
    ++i_;
    ++line_;
    line_start_ = i_;
  }

  void skip_blank_lines() {
    while (i_ < t_.size()) {
      size_t j = i_;
      while (j < t_.size() && (t_[j] == ' ' || t_[j] == '\t')) ++j;
      if (j < t_.size() && t_[j] != '\n' && t_[j] != '\r') return;
      i_ = j;
      newline();
    }
  }

  void check_length(const Field& f, size_t n) const {
    if (n > max_field_)
      fail(source_, f.line, f.column, detail::concat("field longer than ", max_field_, " bytes (an unclosed quote?)"));
  }

  Field field() {
    Field f;
    f.line = line_;
    f.column = column();
    if (i_ < t_.size() && t_[i_] == '"') {
      ++i_;
      while (true) {
        if (i_ >= t_.size()) fail(source_, f.line, f.column, "quoted field is never closed");
        const char c = t_[i_];
        if (c == '"') {
          if (i_ + 1 < t_.size() && t_[i_ + 1] == '"') {
            f.text += '"';
            i_ += 2;
          } else {
            ++i_;
            break;
          }
        } else if (c == '\n' || c == '\r') {  // a newline inside quotes is data
          const size_t before = i_;
          newline();
          f.text.append(t_.substr(before, i_ - before));
        } else {
          f.text += c;
          ++i_;
        }
        check_length(f, f.text.size());
      }
      while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t')) ++i_;
      if (i_ < t_.size() && t_[i_] != delim_ && !at_newline())
        fail(source_, line_, column(), detail::concat("unexpected '", t_[i_], "' after the closing quote"));
      return f;
    }
    const size_t start = i_;
    while (i_ < t_.size() && t_[i_] != delim_ && !at_newline()) {
      if (t_[i_] == '"')
        fail(source_, line_, column(), "quote inside an unquoted field (quote the whole field, doubling inner quotes)");
      ++i_;
      if (i_ - start > max_field_) check_length(f, i_ - start);
    }
    f.text.assign(t_.substr(start, i_ - start));
    return f;
  }

  std::string_view t_;
  const std::string& source_;
  char delim_;
  size_t max_field_;
  size_t i_ = 0, line_start_ = 0;
  int line_ = 1;
};

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

double parse_number(const Field& f, const std::string& column_name, const std::string& source) {
  std::string s = trim(f.text);
  if (s.empty())
    fail(source, f.line, f.column, detail::concat("column '", column_name, "': empty field, expected a number"));
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (*b == '+') ++b;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec == std::errc::result_out_of_range)
    fail(source, f.line, f.column, detail::concat("column '", column_name, "': '", shorten(s), "' is out of range"));
  if (ec != std::errc() || ptr != e)
    fail(source, f.line, f.column,
         detail::concat("column '", column_name, "': expected a number, got '", shorten(s), "'"));
  if (!std::isfinite(v))
    fail(source, f.line, f.column, detail::concat("column '", column_name, "': '", s, "' is not a finite number"));
  return v;
}

bool parse_class_id(const std::string& s, int64_t& out) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

Dataset parse_csv(std::string_view text, const CsvOptions& o, const std::string& source) {
  NABLA_CHECK(!o.label.empty(), ValueError, "load_csv: CsvOptions::label (the target column's name) is required");
  NABLA_CHECK(is_floating(o.dtype), DTypeError, "load_csv: dtype must be float32 or float64, got ",
              dtype_name(o.dtype));
  Tokenizer tok(text, source, o.delimiter, o.max_field_bytes);
  Record header;
  if (!tok.next(header)) fail(source, 1, 1, "empty file: expected a header row of column names");

  std::vector<std::string> names;
  std::map<std::string, size_t> index;
  for (const Field& f : header.fields) {
    names.push_back(trim(f.text));
    if (!index.emplace(names.back(), names.size() - 1).second)
      fail(source, f.line, f.column, detail::concat("duplicate column name '", names.back(), "'"));
  }
  auto all_columns = [&] {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
    return s;
  };
  auto column_of = [&](const std::string& name, const char* role) {
    auto it = index.find(name);
    if (it == index.end())
      fail(source, header.line, 1,
           detail::concat("no column named '", name, "' for the ", role, " (the header has ", all_columns(), ")"));
    return it->second;
  };
  const size_t label_col = column_of(o.label, "label");
  std::vector<size_t> feature_cols;
  if (o.features.empty()) {
    for (size_t c = 0; c < names.size(); ++c)
      if (c != label_col) feature_cols.push_back(c);
  } else {
    for (const auto& f : o.features) {
      NABLA_CHECK(f != o.label, ValueError, "load_csv: column '", f, "' is both the label and a feature");
      feature_cols.push_back(column_of(f, "features"));
    }
  }
  NABLA_CHECK(!feature_cols.empty(), ValueError, "load_csv: ", source, " has no feature columns besides the label '",
              o.label, "'");

  const size_t width = names.size();
  std::vector<double> x;
  std::vector<double> y_real;
  std::vector<Field> y_text;
  Record r;
  int64_t rows = 0;
  while (tok.next(r)) {
    if (r.fields.size() > width) {
      const Field& extra = r.fields[width];
      fail(source, extra.line, extra.column,
           detail::concat("row has ", r.fields.size(), " fields but the header has ", width));
    }
    if (r.fields.size() < width)
      fail(source, r.end_line, r.end_column,
           detail::concat("row has ", r.fields.size(), " fields but the header has ", width, " (missing '",
                          names[r.fields.size()], "')"));
    for (size_t c : feature_cols) x.push_back(parse_number(r.fields[c], names[c], source));
    if (o.target == CsvTarget::real) {
      y_real.push_back(parse_number(r.fields[label_col], names[label_col], source));
    } else {
      Field f = r.fields[label_col];
      f.text = trim(f.text);
      if (f.text.empty())
        fail(source, f.line, f.column, detail::concat("column '", names[label_col], "': empty label"));
      y_text.push_back(std::move(f));
    }
    ++rows;
  }
  if (rows == 0) fail(source, header.end_line + 1, 1, "no data rows after the header");

  Dataset d;
  d.name = source;
  const int64_t nf = static_cast<int64_t>(feature_cols.size());
  d.x = Tensor::from_vector(x, {rows, nf}, o.dtype);
  for (size_t c : feature_cols) d.feature_names.push_back(names[c]);
  if (o.target == CsvTarget::real) {
    const bool binary = std::all_of(y_real.begin(), y_real.end(), [](double v) { return v == 0.0 || v == 1.0; });
    d.y = Tensor::from_vector(y_real, {rows, 1}, o.dtype);
    d.num_classes = binary ? 2 : 0;
  } else {
    std::vector<int64_t> ids(rows);
    bool numeric = true;
    for (int64_t i = 0; i < rows && numeric; ++i) numeric = parse_class_id(y_text[i].text, ids[i]);
    if (numeric) {
      // Found by fuzzing (tests/regression/csv/): max + 1 overflowed for the id 2^63 - 1.
      const int64_t max_id = *std::max_element(ids.begin(), ids.end());
      NABLA_CHECK(max_id < std::numeric_limits<int64_t>::max(), ValueError, "load_csv: ", source,
                  ": the label column '", o.label, "' holds the class id ", max_id,
                  ", too large for a number of classes");
      d.num_classes = max_id + 1;
      NABLA_CHECK(d.num_classes >= 2, ValueError, "load_csv: ", source, ": the label column '", o.label,
                  "' holds a single class (0); classification needs at least two");
    } else {
      std::set<std::string> distinct;
      for (const Field& f : y_text) distinct.insert(f.text);
      d.class_names.assign(distinct.begin(), distinct.end());
      for (int64_t i = 0; i < rows; ++i)
        ids[i] = std::lower_bound(d.class_names.begin(), d.class_names.end(), y_text[i].text) - d.class_names.begin();
      d.num_classes = static_cast<int64_t>(d.class_names.size());
      if (d.num_classes < 2)
        fail(source, y_text[0].line, y_text[0].column,
             detail::concat("the label column '", o.label, "' holds a single class ('", d.class_names[0], "')"));
    }
    d.y = Tensor::from_vector(ids, {rows});
  }
  d.validate();
  return d;
}

Dataset load_csv(const std::filesystem::path& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good() && !std::filesystem::is_directory(path), IOError, "cannot open CSV file '", path.string(), "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  NABLA_CHECK(!in.bad(), IOError, "cannot read CSV file '", path.string(), "'");
  return parse_csv(ss.str(), options, path.string());
}

}  // namespace nabla
