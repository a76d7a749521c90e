#include "nabla/data/csv.h"

#include <sys/mman.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
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
  // `first_line`: the line number of the text's first byte, which starts a line (1: the file's
  // start, where a byte order mark may be).
  Tokenizer(std::string_view text, const std::string& source, char delim, size_t max_field, int first_line = 1)
      : t_(text), source_(source), delim_(delim), max_field_(max_field), line_(first_line) {
    NABLA_CHECK(delim != '"' && delim != '\n' && delim != '\r', ValueError,
                "load_csv: the delimiter cannot be a quote or a newline");
    if (first_line == 1 && t_.substr(0, 3) == "\xEF\xBB\xBF") {  // UTF-8 BOM: not part of the first column's name
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

 public:
  int line() const { return line_; }
};

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

double parse_number(const Field& f, const std::string& column_name, const std::string& source, DType dtype) {
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
  if (dtype == DType::float32 && std::fabs(v) > std::numeric_limits<float>::max())
    fail(source, f.line, f.column,
         detail::concat("column '", column_name, "': '", shorten(s),
                        "' is beyond float32 (about 3.4e38; load the data as float64)"));
  return v;
}

bool parse_class_id(const std::string& s, int64_t& out) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Values appended in blocks that are never moved: a growing std::vector would hold its old and
// new buffers at once (3x the data). Each block is its own anonymous mapping, returned to the
// system as soon as it is copied into the tensor, so reading peaks at about the data's size.
class Blocks {
 public:
  Blocks() = default;
  Blocks(const Blocks&) = delete;
  Blocks& operator=(const Blocks&) = delete;
  ~Blocks() {
    for (double* b : blocks_) release(b);
  }

  void push(double v) {
    if (size_ % kBlock == 0) {
      void* p = ::mmap(nullptr, kBlock * sizeof(double), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      blocks_.push_back(static_cast<double*>(p));
    }
    blocks_.back()[size_ % kBlock] = v;
    ++size_;
  }
  size_t size() const { return size_; }
  double operator[](size_t i) const { return blocks_[i / kBlock][i % kBlock]; }

  // The values as a tensor of `shape` (numel = size()), freeing each block once it is copied.
  Tensor take(const Shape& shape, DType dtype) {
    Tensor t = Tensor::empty(shape, dtype);
    dispatch_floating(dtype, "load_csv", [&]<class T>() {
      T* out = t.data<T>();
      for (size_t b = 0; b < blocks_.size(); ++b) {
        const size_t n = std::min(kBlock, size_ - b * kBlock);
        for (size_t i = 0; i < n; ++i) out[b * kBlock + i] = static_cast<T>(blocks_[b][i]);
        release(blocks_[b]);
        blocks_[b] = nullptr;
      }
    });
    blocks_.clear();
    size_ = 0;
    return t;
  }

 private:
  static constexpr size_t kBlock = size_t(1) << 17;  // 1 MiB of doubles
  static void release(double* b) {
    if (b) ::munmap(b, kBlock * sizeof(double));
  }
  std::vector<double*> blocks_;
  size_t size_ = 0;
};

// Reads a CSV text record by record, in as many pieces as it comes in (feed), each piece whole
// records; finish() makes the Dataset. Each value is parsed once, as its record is read.
class CsvReader {
 public:
  CsvReader(const CsvOptions& o, const std::string& source) : o_(o), source_(source) {
    NABLA_CHECK(!o.label.empty(), ValueError, "load_csv: CsvOptions::label (the target column's name) is required");
    NABLA_CHECK(is_floating(o.dtype), DTypeError, "load_csv: dtype must be float32 or float64, got ",
                dtype_name(o.dtype));
  }

  // `text`: whole records, starting at line `first_line` (1: the start of the file). Returns the
  // line number just past them.
  int feed(std::string_view text, int first_line) {
    Tokenizer tok(text, source_, o_.delimiter, o_.max_field_bytes, first_line);
    Record r;
    while (tok.next(r)) {
      if (!have_header_)
        header(r);
      else
        row(r);
    }
    return tok.line();
  }

  Dataset finish() {
    if (!have_header_) fail(source_, 1, 1, "empty file: expected a header row of column names");
    if (rows_ == 0) fail(source_, header_end_line_ + 1, 1, "no data rows after the header");
    Dataset d;
    d.name = source_;
    const int64_t nf = static_cast<int64_t>(feature_cols_.size());
    d.x = x_.take({rows_, nf}, o_.dtype);
    for (size_t c : feature_cols_) d.feature_names.push_back(names_[c]);
    if (o_.target == CsvTarget::real) {
      bool binary = true;
      for (size_t i = 0; i < y_real_.size() && binary; ++i) binary = y_real_[i] == 0.0 || y_real_[i] == 1.0;
      d.y = y_real_.take({rows_, 1}, o_.dtype);
      d.num_classes = binary ? 2 : 0;
    } else {
      classes(d);
    }
    d.validate();
    return d;
  }

 private:
  void header(const Record& r) {
    have_header_ = true;
    header_line_ = r.line;
    header_end_line_ = r.end_line;
    std::map<std::string, size_t> index;
    for (const Field& f : r.fields) {
      names_.push_back(trim(f.text));
      if (!index.emplace(names_.back(), names_.size() - 1).second)
        fail(source_, f.line, f.column, detail::concat("duplicate column name '", names_.back(), "'"));
    }
    auto all_columns = [&] {
      std::string s;
      for (const auto& n : names_) s += (s.empty() ? "'" : ", '") + n + "'";
      return s;
    };
    auto column_of = [&](const std::string& name, const char* role) {
      auto it = index.find(name);
      if (it == index.end())
        fail(source_, header_line_, 1,
             detail::concat("no column named '", name, "' for the ", role, " (the header has ", all_columns(), ")"));
      return it->second;
    };
    label_col_ = column_of(o_.label, "label");
    if (o_.features.empty()) {
      for (size_t c = 0; c < names_.size(); ++c)
        if (c != label_col_) feature_cols_.push_back(c);
    } else {
      for (const auto& f : o_.features) {
        NABLA_CHECK(f != o_.label, ValueError, "load_csv: column '", f, "' is both the label and a feature");
        feature_cols_.push_back(column_of(f, "features"));
      }
    }
    NABLA_CHECK(!feature_cols_.empty(), ValueError, "load_csv: ", source_,
                " has no feature columns besides the label '", o_.label, "'");
  }

  void row(const Record& r) {
    const size_t width = names_.size();
    if (r.fields.size() > width) {
      const Field& extra = r.fields[width];
      fail(source_, extra.line, extra.column,
           detail::concat("row has ", r.fields.size(), " fields but the header has ", width));
    }
    if (r.fields.size() < width)
      fail(source_, r.end_line, r.end_column,
           detail::concat("row has ", r.fields.size(), " fields but the header has ", width, " (missing '",
                          names_[r.fields.size()], "')"));
    for (size_t c : feature_cols_) x_.push(parse_number(r.fields[c], names_[c], source_, o_.dtype));
    const Field& f = r.fields[label_col_];
    if (o_.target == CsvTarget::real) {
      y_real_.push(parse_number(f, names_[label_col_], source_, o_.dtype));
    } else {
      std::string text = trim(f.text);
      if (text.empty())
        fail(source_, f.line, f.column, detail::concat("column '", names_[label_col_], "': empty label"));
      // A label that reads as a number must be a class id, a whole number >= 0: 1.5 or -1 would
      // otherwise become a class name, silently.
      int64_t id = 0;
      if (!parse_class_id(text, id)) {
        double v = 0;
        const char* b = text.data() + (text[0] == '+' ? 1 : 0);
        const auto [end, ec] = std::from_chars(b, text.data() + text.size(), v);
        if (ec != std::errc::invalid_argument && end == text.data() + text.size()) {
          if (!(v >= 0 && v < 0x1p53 && v == std::floor(v)))  // 2.0 is class 2
            fail(source_, f.line, f.column,
                 detail::concat("column '", names_[label_col_], "': the class label '", shorten(text),
                                "' is not a whole number >= 0 (class ids are 0, 1, 2, ...)"));
          text = std::to_string(int64_t(v));
        } else if (first_name_line_ == 0) {
          first_name_line_ = f.line, first_name_column_ = f.column;
        }
      }
      y_text_.push_back(std::move(text));
    }
    ++rows_;
  }

  void classes(Dataset& d) {
    const int64_t rows = rows_;
    std::vector<int64_t> ids(rows);
    bool numeric = true;
    for (int64_t i = 0; i < rows && numeric; ++i) numeric = parse_class_id(y_text_[i], ids[i]);
    if (numeric) {
      // Found by fuzzing (tests/regression/csv/): max + 1 overflowed for the id 2^63 - 1.
      const int64_t max_id = *std::max_element(ids.begin(), ids.end());
      NABLA_CHECK(max_id < std::numeric_limits<int64_t>::max(), ValueError, "load_csv: ", source_,
                  ": the label column '", o_.label, "' holds the class id ", max_id,
                  ", too large for a number of classes");
      d.num_classes = max_id + 1;
      NABLA_CHECK(d.num_classes >= 2, ValueError, "load_csv: ", source_, ": the label column '", o_.label,
                  "' holds a single class (0); classification needs at least two");
    } else {
      std::set<std::string> distinct(y_text_.begin(), y_text_.end());
      d.class_names.assign(distinct.begin(), distinct.end());
      for (int64_t i = 0; i < rows; ++i)
        ids[i] = std::lower_bound(d.class_names.begin(), d.class_names.end(), y_text_[i]) - d.class_names.begin();
      d.num_classes = static_cast<int64_t>(d.class_names.size());
      if (d.num_classes < 2)
        fail(source_, first_name_line_, first_name_column_,
             detail::concat("the label column '", o_.label, "' holds a single class ('", d.class_names[0], "')"));
    }
    d.y = Tensor::from_vector(ids, {rows});
  }

  const CsvOptions& o_;
  const std::string& source_;
  bool have_header_ = false;
  int header_line_ = 0, header_end_line_ = 0;
  std::vector<std::string> names_;
  size_t label_col_ = 0;
  std::vector<size_t> feature_cols_;
  Blocks x_, y_real_;
  std::vector<std::string> y_text_;
  int first_name_line_ = 0, first_name_column_ = 0;  // of the first label that is not a number
  int64_t rows_ = 0;
};

// The end of the last whole record in buf[0, size): just past its last '\n' outside quotes,
// scanning from `from` with `in_quotes` the state there (both updated); 0 when there is none.
size_t records_end(const std::string& buf, size_t& from, bool& in_quotes) {
  size_t end = 0;
  for (size_t i = from; i < buf.size(); ++i) {
    if (buf[i] == '"')
      in_quotes = !in_quotes;  // "" inside quotes toggles twice
    else if (buf[i] == '\n' && !in_quotes)
      end = i + 1;
  }
  from = buf.size();
  return end;
}

}  // namespace

Dataset parse_csv(std::string_view text, const CsvOptions& o, const std::string& source) {
  CsvReader reader(o, source);
  reader.feed(text, 1);
  return reader.finish();
}

Dataset load_csv(const std::string& path_name, const CsvOptions& options) {
  const std::filesystem::path path(path_name);
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good() && !std::filesystem::is_directory(path), IOError, "cannot open CSV file '", path.string(), "'");
  const std::string source = path.string();
  CsvReader reader(options, source);
  // Streaming: a piece of the file at a time, handed on up to its last whole record.
  const size_t chunk = std::max<size_t>(1, options.read_chunk_bytes);
  std::string buf;
  size_t scanned = 0;
  bool in_quotes = false;
  int line = 1;  // of buf's first byte
  while (true) {
    const size_t had = buf.size();
    buf.resize(had + chunk);
    in.read(buf.data() + had, std::streamsize(chunk));
    buf.resize(had + size_t(in.gcount()));
    NABLA_CHECK(!in.bad(), IOError, "cannot read CSV file '", source, "'");
    const bool at_end = in.gcount() == 0;
    const size_t end = at_end ? buf.size() : records_end(buf, scanned, in_quotes);
    if (end > 0) {
      const std::string_view records(buf.data(), end);
      line = reader.feed(records, line);
      buf.erase(0, end);
      // The rest starts a record: it is scanned again with the next piece, quotes from its start.
      scanned = 0;
      in_quotes = false;
    }
    if (at_end) break;
  }
  return reader.finish();
}

}  // namespace nabla
