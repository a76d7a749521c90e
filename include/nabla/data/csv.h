// nabla/data/csv.h — load a Dataset from a CSV file with a header row.
//
// The format is RFC 4180 as spreadsheets write it: a header row of column names, one record per
// line (LF or CRLF), fields separated by `delimiter`, fields optionally in double quotes (which
// may then hold delimiters, newlines and "" for a quote), an optional UTF-8 byte order mark,
// blank lines ignored. Feature columns must hold numbers (std::from_chars syntax, an optional
// leading '+', surrounding spaces ignored; NaN and infinities are refused).
//
//   nabla::Dataset d = nabla::load_csv("iris.csv", {.label = "species", .target = nabla::CsvTarget::classes});
//   // d.x [150, 4] float32, d.y int64 [150], d.class_names {"setosa", "versicolor", "virginica"}
//   nabla::Dataset r = nabla::load_csv("houses.csv", {.label = "price"});   // y float [N, 1]
//
// Every problem is a ParseError whose message starts "file:line:column: " (1-based, the
// column in bytes from the start of the physical line) and whose source(), line() and column()
// hold the same: an empty file, a ragged row, a non-number, an unterminated quote, text after a
// closing quote, a field longer than max_field_bytes, a label column that is not in the header.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla {

enum class CsvTarget {
  real,     // labels are numbers -> y float [N, 1]; num_classes 2 if every label is 0 or 1, else 0
  classes,  // labels are class ids -> y int64 [N]: non-negative integers are used as they are
            // (num_classes = max + 1; 2.0 is 2); a label that reads as another number (1.5, -1,
            // nan) is an error at its file:line:column; any other text makes every distinct label
            // a class, numbered in sorted order, with the labels kept in class_names
};

struct CsvOptions {
  std::string label = {};                  // header name of the target column (required)
  std::vector<std::string> features = {};  // header names of the feature columns; empty = all others
  CsvTarget target = CsvTarget::real;
  DType dtype = DType::float32;  // of x (and of y for CsvTarget::real)
  char delimiter = ',';
  // A longer field is an error rather than a silent multi-megabyte allocation; it is usually
  // a quote that was never closed.
  size_t max_field_bytes = 1 << 16;
  // load_csv reads the file this many bytes at a time (each value is parsed once, as it is read;
  // memory peaks at about the values as doubles, not at the file's size on top).
  size_t read_chunk_bytes = 1 << 20;
};

// `path`: a std::string, to which a std::filesystem::path converts (see mnist.h).
Dataset load_csv(const std::string& path, const CsvOptions& options);
// The same, from text in memory; `source` names it in error messages.
Dataset parse_csv(std::string_view text, const CsvOptions& options, const std::string& source = "<csv>");

}  // namespace nabla
