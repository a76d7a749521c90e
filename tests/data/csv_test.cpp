// Tests for nabla/data/csv.h: RFC 4180 parsing (BOM, CRLF, quotes), target kinds, and errors
// that point at file:line:column.
#include "nabla/data/csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace nabla {
namespace {

// Expects parse_csv to fail at line:column with a message containing `fragment`.
void expect_csv_error(const std::string& text, const CsvOptions& o, int line, int column, const std::string& fragment) {
  try {
    parse_csv(text, o, "data.csv");
    ADD_FAILURE() << "accepted; expected an error at " << line << ":" << column << " (" << fragment << ")";
  } catch (const ParseError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.source(), "data.csv") << msg;
    EXPECT_EQ(e.line(), line) << msg;
    EXPECT_EQ(e.column(), column) << msg;
    const std::string prefix = "data.csv:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST(CsvTest, LoadsFeaturesAndLabelByName) {
  Dataset d = parse_csv("a,label,b\n1,0,2.5\n-3e2,1,+4\n", {.label = "label"});
  EXPECT_EQ(d.x.shape(), (Shape{2, 2}));
  EXPECT_EQ(d.x.dtype(), DType::float32);
  EXPECT_EQ(d.x.to_vector<float>(), (std::vector<float>{1, 2.5f, -300, 4}));
  EXPECT_EQ(d.y.shape(), (Shape{2, 1}));
  EXPECT_EQ(d.y.to_vector<float>(), (std::vector<float>{0, 1}));
  EXPECT_EQ(d.num_classes, 2);  // labels all 0/1
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"a", "b"}));
  Dataset r = parse_csv("x,price\n1,10.5\n2,20\n", {.label = "price", .dtype = DType::float64});
  EXPECT_EQ(r.num_classes, 0);  // regression
  EXPECT_EQ(r.y.dtype(), DType::float64);
  EXPECT_EQ(r.y.to_vector<double>(), (std::vector<double>{10.5, 20}));
}

TEST(CsvTest, HandlesBomCrlfQuotesAndBlankLines) {
  const std::string text =
      "\xEF\xBB\xBF"
      "\"x, first\",\"y\",species\r\n"
      "\r\n"
      " 1.5 ,\"2\",\"iris \"\"setosa\"\"\"\r\n"
      "3,4,\"multi\r\nline\"\r\n"
      "5,6,\"iris \"\"setosa\"\"\"  \r\n"
      "\n";
  Dataset d = parse_csv(text, {.label = "species", .target = CsvTarget::classes});
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"x, first", "y"}));
  EXPECT_EQ(d.x.to_vector<float>(), (std::vector<float>{1.5f, 2, 3, 4, 5, 6}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"iris \"setosa\"", "multi\r\nline"}));
  EXPECT_EQ(d.y.dtype(), DType::int64);
  EXPECT_EQ(d.y.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 0}));
  EXPECT_EQ(d.num_classes, 2);
}

TEST(CsvTest, ClassTargets) {
  Dataset ids = parse_csv("f,c\n0.1,2\n0.2,0\n0.3,4\n", {.label = "c", .target = CsvTarget::classes});
  EXPECT_EQ(ids.num_classes, 5);  // max id + 1
  EXPECT_EQ(ids.y.to_vector<int64_t>(), (std::vector<int64_t>{2, 0, 4}));
  EXPECT_TRUE(ids.class_names.empty());
  Dataset names = parse_csv("f,c\n1,b\n2,a\n3,c\n4,a\n", {.label = "c", .target = CsvTarget::classes});
  EXPECT_EQ(names.class_names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(names.y.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 2, 0}));
  expect_csv_error("f,c\n1,a\n2,a\n", {.label = "c", .target = CsvTarget::classes}, 2, 3, "single class");
}

TEST(CsvTest, ChosenFeaturesAndDelimiter) {
  Dataset d = parse_csv("id;a;b;y\n7;1;2;0\n8;3;4;1\n", {.label = "y", .features = {"b", "a"}, .delimiter = ';'});
  EXPECT_EQ(d.feature_names, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(d.x.to_vector<float>(), (std::vector<float>{2, 1, 4, 3}));
  EXPECT_THROW(parse_csv("a,y\n1,0\n", {.label = "y", .features = {"y"}}), ValueError);
  EXPECT_THROW(parse_csv("a,y\n1,0\n", {}), ValueError);  // no label given
}

TEST(CsvTest, RaggedRowsPointAtTheField) {
  // Too many fields: at the first extra field. Too few: at the end of the line.
  expect_csv_error("a,b,y\n1,2,0\n1,2,0,9\n", {.label = "y"}, 3, 7, "row has 4 fields but the header has 3");
  expect_csv_error("a,b,y\n1,2,0\n1,2\n", {.label = "y"}, 3, 4, "row has 2 fields but the header has 3 (missing 'y')");
  expect_csv_error("a,b,y\r\n1,2\r\n", {.label = "y"}, 2, 4, "row has 2 fields");
}

TEST(CsvTest, NonNumbersPointAtTheField) {
  expect_csv_error("a,b,y\n1,2,0\n1,abc,1\n", {.label = "y"}, 3, 3, "column 'b': expected a number, got 'abc'");
  expect_csv_error("a,b,y\n1,,0\n", {.label = "y"}, 2, 3, "column 'b': empty field");
  expect_csv_error("a,b,y\n1,nan,0\n", {.label = "y"}, 2, 3, "not a finite number");
  expect_csv_error("a,b,y\n1,1e999,0\n", {.label = "y"}, 2, 3, "out of range");
  expect_csv_error("a,y\n1,yes\n", {.label = "y"}, 2, 3, "column 'y': expected a number, got 'yes'");
  // The BOM does not count as a column; quoted fields point at their opening quote.
  expect_csv_error(
      "\xEF\xBB\xBF"
      "a,y\n\"1x\",0\n",
      {.label = "y"}, 2, 1, "got '1x'");
  // A multi-line quoted field moves the line count on.
  expect_csv_error("a,n,y\n1,\"x\ny\",0\nz,q,1\n", {.label = "y", .features = {"a"}}, 4, 1, "got 'z'");
}

TEST(CsvTest, EmptyFileAndHeaderOnly) {
  expect_csv_error("", {.label = "y"}, 1, 1, "empty file");
  expect_csv_error("\xEF\xBB\xBF\n\n  \n", {.label = "y"}, 1, 1, "empty file");
  expect_csv_error("a,y\n", {.label = "y"}, 2, 1, "no data rows");
}

TEST(CsvTest, QuotingErrors) {
  expect_csv_error("a,y\n\"1,0\n", {.label = "y"}, 2, 1, "quoted field is never closed");
  expect_csv_error("a,y\n\"1\"x,0\n", {.label = "y"}, 2, 4, "unexpected 'x' after the closing quote");
  expect_csv_error("a,y\n1\"2,0\n", {.label = "y"}, 2, 2, "quote inside an unquoted field");
}

TEST(CsvTest, HugeFieldIsAnError) {
  const std::string big(100, '7');
  expect_csv_error("a,y\n1,0\n" + big + ",1\n", {.label = "y", .max_field_bytes = 64}, 3, 1, "longer than 64 bytes");
  expect_csv_error("a,y\n2,\"" + big + "\n", {.label = "y", .max_field_bytes = 64}, 2, 3, "longer than 64 bytes");
  // (7.7e99: as float64; as float32 it is out of range, an error of its own.)
  EXPECT_EQ(parse_csv("a,y\n" + big + ",1\n", {.label = "y", .dtype = DType::float64, .max_field_bytes = 100}).size(),
            1);
  expect_csv_error("a,y\n" + big + ",1\n", {.label = "y", .max_field_bytes = 100}, 2, 1, "is beyond float32");
}

TEST(CsvTest, HeaderProblems) {
  expect_csv_error("a,b\n1,2\n", {.label = "y"}, 1, 1, "no column named 'y' for the label (the header has 'a', 'b')");
  expect_csv_error("a,b,a\n1,2,3\n", {.label = "b"}, 1, 5, "duplicate column name 'a'");
  expect_csv_error("a,y\n1,0\n", {.label = "y", .features = {"z"}}, 1, 1, "no column named 'z'");
}

TEST(CsvTest, LoadFromFileNamesThePath) {
  const std::string path = ::testing::TempDir() + "nabla_csv_" + std::to_string(::getpid()) + ".csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "a,y\r\n1,0\r\n2,x\r\n";
  }
  try {
    load_csv(path, {.label = "y"});
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":3:3: ", 0), 0u) << e.what();
  }
  {
    std::ofstream out(path, std::ios::binary);
    out << "a,y\r\n1,0\r\n2,1\r\n";
  }
  Dataset d = load_csv(path, {.label = "y"});
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.name, path);
  std::remove(path.c_str());
  EXPECT_THROW(load_csv(path, {.label = "y"}), IOError);
}

// load_csv reads the file a piece at a time: whatever the piece size, the same dataset, and
// errors at the same file:line:column (records cut by a piece: quoted newlines, CRLF, a BOM).
TEST(CsvTest, ReadingInPiecesGivesTheSameDatasetAndPositions) {
  const std::string path = ::testing::TempDir() + "nabla_csv_pieces_" + std::to_string(::getpid()) + ".csv";
  const std::string text =
      "\xEF\xBB\xBF"
      "a,\"b\nc\",label\r\n1,2.5,cat\r\n\r\n\"3\",\"4\",\"dog\"\n5,6,\"c\"\"at\"\n7,8,cat\n";
  std::ofstream(path, std::ios::binary) << text;
  const CsvOptions whole{.label = "label", .target = CsvTarget::classes, .dtype = DType::float64};
  const Dataset expected = parse_csv(text, whole, path);
  EXPECT_EQ(expected.class_names, (std::vector<std::string>{"c\"at", "cat", "dog"}));
  for (size_t chunk : {1, 2, 3, 7, 16, 1000}) {
    CsvOptions o = whole;
    o.read_chunk_bytes = chunk;
    const Dataset d = load_csv(path, o);
    EXPECT_EQ(d.x.to_vector<double>(), expected.x.to_vector<double>()) << chunk;
    EXPECT_EQ(d.y.to_vector<int64_t>(), expected.y.to_vector<int64_t>()) << chunk;
    EXPECT_EQ(d.feature_names, expected.feature_names) << chunk;
    EXPECT_EQ(d.class_names, expected.class_names) << chunk;
  }
  // An error after the pieces: line 8 (the header spans lines 1-2, line 4 is blank), column 3.
  std::ofstream(path, std::ios::binary) << text << "9,x,cat\n";
  for (size_t chunk : {1, 5, 1000}) {
    CsvOptions o = whole;
    o.read_chunk_bytes = chunk;
    try {
      load_csv(path, o);
      ADD_FAILURE() << "accepted the bad row, chunk " << chunk;
    } catch (const ParseError& e) {
      EXPECT_EQ(e.line(), 8) << e.what();
      EXPECT_EQ(e.column(), 3) << e.what();
    }
  }
  std::remove(path.c_str());
}

TEST(CsvTest, NumericClassLabelsMustBeWholeNumbers) {
  const CsvOptions o{.label = "y", .target = CsvTarget::classes};
  expect_csv_error("x,y\n1,0\n2,1.5\n", o, 3, 3, "the class label '1.5' is not a whole number >= 0");
  expect_csv_error("x,y\n1,0\n2,-1\n", o, 3, 3, "the class label '-1' is not a whole number >= 0");
  expect_csv_error("x,y\n1,nan\n2,1\n", o, 2, 3, "the class label 'nan' is not a whole number >= 0");
  const Dataset d = parse_csv("x,y\n1,0\n2,2.0\n3,1e0\n", o);  // whole numbers written as floats
  EXPECT_EQ(d.y.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(d.num_classes, 3);
}

}  // namespace
}  // namespace nabla
