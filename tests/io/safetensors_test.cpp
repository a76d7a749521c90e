// Tests for nabla/io/safetensors.h: round trips, byte-exact agreement with the reference writer,
// files read by an independent Python reader, Python-written fixtures, and every malformed-file
// error the reader promises.
#include "nabla/io/safetensors.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nabla/io/atomic_file.h"

namespace nabla {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(NABLA_SOURCE_DIR) / "tests" / "golden" / "safetensors";

// A fresh directory per test, removed afterwards.
class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("nabla_safetensors_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path path(const std::string& name) const { return dir_ / name; }
  fs::path dir_;
};

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

// A file with this exact header text and data region.
std::string file_with(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

template <class T>
std::string raw(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof(T));
  return s;
}

Tensor f32(std::vector<float> v, Shape s) { return Tensor::from_vector(v, s); }
Tensor f64(std::vector<double> v, Shape s) { return Tensor::from_vector(v, s, DType::float64); }
Tensor i64(std::vector<int64_t> v, Shape s) { return Tensor::from_vector(v, s); }
Tensor i32(std::vector<double> v, Shape s) { return Tensor::from_vector(v, s, DType::int32); }
Tensor boolean(std::vector<bool> v, Shape s) {
  Tensor t = Tensor::empty(s, DType::boolean);
  for (size_t i = 0; i < v.size(); ++i) t.data<bool>()[i] = v[i];
  return t;
}

// Exact element-wise equality, comparing bit patterns for floats (so -0.0 != 0.0).
void expect_identical(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.dtype(), b.dtype()) << what;
  ASSERT_EQ(a.shape(), b.shape()) << what;
  ASSERT_TRUE(a.is_contiguous() && b.is_contiguous()) << what;
  const size_t n = a.numel() * element_size(a.dtype());
  EXPECT_EQ(0, std::memcmp(a.raw_data(), b.raw_data(), n)) << what;
}

std::vector<double> values_of(const Tensor& t) {
  std::vector<double> out;
  const int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
      case DType::float32:
        out.push_back(t.data<float>()[i]);
        break;
      case DType::float64:
        out.push_back(t.data<double>()[i]);
        break;
      case DType::int64:
        out.push_back(static_cast<double>(t.data<int64_t>()[i]));
        break;
      case DType::boolean:
        out.push_back(t.data<bool>()[i] ? 1.0 : 0.0);
        break;
      case DType::int32:
        out.push_back(static_cast<double>(t.data<int32_t>()[i]));
        break;
    }
  }
  return out;
}

// Parses `bytes` and expects error type E whose message mentions every fragment.
template <class E>
void expect_rejected(const std::string& bytes, std::vector<std::string> fragments) {
  try {
    parse_safetensors(bytes, "bad.safetensors");
    ADD_FAILURE() << "accepted a malformed file; expected a message with '" << fragments.at(0) << "'";
  } catch (const E& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.safetensors"), std::string::npos) << msg;
    for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
  }
}

NamedTensors sample_tensors() {
  return {
      {"layer.0.weight", f32({1.5f, -2.0f, 0.25f, -0.0f, 1e-45f, 3.4e38f}, {2, 3})},
      {"layer.0.bias", f32({0.5f, -0.5f}, {2})},
      {"step", i64({std::numeric_limits<int64_t>::min(), -1, 0, std::numeric_limits<int64_t>::max()}, {2, 2})},
      {"mean", f64({M_PI, -1e-310, 1e300}, {3, 1})},
      {"mask", boolean({true, false, false, true, true}, {5})},
      {"counts", i32({-2147483648.0, -1, 0, 2147483647.0, 5}, {5})},
      {"scalar", f32({7.0f}, {})},
      {"nothing", f64({}, {0, 4})},
  };
}

// ---- round trips ----

TEST_F(SafetensorsTest, RoundTripEveryDtypeAndShape) {
  const NamedTensors tensors = sample_tensors();
  save_safetensors(path("m.safetensors"), tensors, {{"epoch", "3"}, {"framework", "nabla"}});
  SafetensorsFile f = load_safetensors(path("m.safetensors"));
  ASSERT_EQ(f.tensors.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    ASSERT_TRUE(f.contains(name)) << name;
    expect_identical(f.at(name), t, name);
  }
  EXPECT_EQ(f.metadata, (std::map<std::string, std::string>{{"epoch", "3"}, {"framework", "nabla"}}));
  EXPECT_THROW(f.at("missing"), ValueError);
  // File order is data-offset order: descending alignment, then name.
  EXPECT_EQ(f.names(), (std::vector<std::string>{"step", "mean", "nothing", "layer.0.bias", "layer.0.weight", "scalar",
                                                 "counts", "mask"}));
}

TEST_F(SafetensorsTest, RoundTripNonContiguousView) {
  // A transposed view of a [2, 3] matrix, built by hand: shape [3, 2], strides [1, 3].
  Tensor base = f32({1, 2, 3, 4, 5, 6}, {2, 3});
  auto impl = std::make_shared<TensorImpl>(*base.impl());
  impl->shape = Shape{3, 2};
  impl->strides = Shape{1, 3};
  Tensor view(impl);
  ASSERT_FALSE(view.is_contiguous());
  save_safetensors(path("v.safetensors"), {{"t", view}});
  Tensor back = load_safetensors(path("v.safetensors")).at("t");
  EXPECT_EQ(back.shape(), (Shape{3, 2}));
  EXPECT_EQ(back.to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}

TEST_F(SafetensorsTest, SerializeEqualsSavedFile) {
  save_safetensors(path("m.safetensors"), sample_tensors(), {{"k", "v"}});
  EXPECT_EQ(read_bytes(path("m.safetensors")), serialize_safetensors(sample_tensors(), {{"k", "v"}}));
}

// ---- byte-exact agreement with the reference writer ----

TEST_F(SafetensorsTest, MatchesReferenceWriterTestVectors) {
  // The reference implementation's own serialisation tests (safetensors/src/tensor.rs).
  std::string data = raw<float>({0, 1, 2, 3, 4, 5});
  std::string h1 = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  ASSERT_EQ(h1.size(), 64u);  // already a multiple of 8: no padding
  EXPECT_EQ(serialize_safetensors({{"attn.0", f32({0, 1, 2, 3, 4, 5}, {1, 2, 3})}}), le64(64) + h1 + data);

  std::string h2 = R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})";
  EXPECT_EQ(serialize_safetensors({{"attn0", f32({0, 1, 2, 3, 4, 5}, {1, 1, 2, 3})}}),
            le64(72) + h2 + std::string(72 - h2.size(), ' ') + data);

  EXPECT_EQ(serialize_safetensors({}), le64(8) + "{}      ");
  EXPECT_EQ(serialize_safetensors({}, {{"framework", "pt"}}),
            le64(40) + R"({"__metadata__":{"framework":"pt"}})" + "     ");
}

TEST_F(SafetensorsTest, WriterSortsByAlignmentThenNameAndAlignsData) {
  // Odd-sized F32 and BOOL tensors would misalign a following F64 if sorted by name only.
  std::string bytes = serialize_safetensors({{"a_bool", boolean({true, false, true}, {3})},
                                             {"b_f32", f32({1, 2, 3}, {3})},
                                             {"c_f64", f64({1, 2}, {2})},
                                             {"d_i64", i64({5}, {1})},
                                             {"e_f32", f32({4}, {1})},
                                             {"f_i32", i32({7, 8, 9}, {3})}});
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  auto j = nlohmann::ordered_json::parse(bytes.substr(8, n));
  std::vector<std::string> order;
  for (const auto& [k, v] : j.items()) {
    order.push_back(k);
    const uint64_t begin = v["data_offsets"][0];
    const std::string dt = v["dtype"];
    const uint64_t item = dt == "BOOL" ? 1 : (dt == "F32" || dt == "I32") ? 4 : 8;
    EXPECT_EQ((8 + n + begin) % item, 0u) << k;
  }
  EXPECT_EQ(order, (std::vector<std::string>{"d_i64", "c_f64", "b_f32", "e_f32", "f_i32", "a_bool"}));
}

TEST_F(SafetensorsTest, WritesSameBytesAsPythonReferenceLayout) {
  // basic.safetensors was written by tests/golden/gen_safetensors_golden.py (json/struct/numpy).
  std::vector<bool> mask{true, false, true};
  NamedTensors t = {
      {"scalar", f32({42.0f}, {})},
      {"mask", boolean(mask, {3})},
      {"weight", f32({1.5f, -2.25f, 3.0e-8f, 0.0f, -0.0f, 1e30f}, {2, 3})},
      {"empty", f32({}, {0, 3})},
      {"double", f64({3.141592653589793, -1e-300}, {2})},
      {"steps", i64({std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}, {2})},
      {"bias", f32({0.5f, 0.25f, -0.125f}, {3})},
  };
  std::map<std::string, std::string> meta{{"format", "pt"}, {"note", "na\u00efve \u00fcn\u00efcode \u2713"}};
  EXPECT_EQ(serialize_safetensors(t, meta), read_bytes(kGolden / "basic.safetensors"));
}

// ---- interoperability ----

TEST_F(SafetensorsTest, IndependentPythonReaderAcceptsNablaFiles) {
  const NamedTensors tensors = sample_tensors();
  save_safetensors(path("m.safetensors"), tensors, {{"epoch", "3"}, {"note", "tab\there \"quoted\" \u00e9"}});
  const std::string script = std::string(NABLA_SOURCE_DIR) + "/tests/io/read_safetensors.py";
  const std::string cmd = "/usr/bin/python3 '" + script + "' '" + path("m.safetensors").string() + "' > '" +
                          path("out.json").string() + "' 2> '" + path("err.txt").string() + "'";
  const int rc = std::system(cmd.c_str());
  ASSERT_EQ(rc, 0) << "python reader failed: " << read_bytes(path("err.txt"));
  auto j = nlohmann::json::parse(read_bytes(path("out.json")));
  EXPECT_EQ(j["metadata"]["epoch"], "3");
  EXPECT_EQ(j["metadata"]["note"], "tab\there \"quoted\" \u00e9");
  ASSERT_EQ(j["tensors"].size(), tensors.size());
  for (const auto& entry : j["tensors"]) {
    const std::string name = entry["name"];
    const Tensor* t = nullptr;
    for (const auto& [n, tt] : tensors)
      if (n == name) t = &tt;
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(entry["shape"].get<std::vector<int64_t>>(), t->shape().vec()) << name;
    const std::vector<double> want = values_of(*t);
    ASSERT_EQ(entry["values"].size(), want.size()) << name;
    for (size_t i = 0; i < want.size(); ++i) {
      if (t->dtype() == DType::int64) {
        EXPECT_EQ(entry["values"][i].get<int64_t>(), t->data<int64_t>()[i]) << name << "[" << i << "]";
      } else if (t->dtype() == DType::boolean) {
        EXPECT_EQ(entry["values"][i].get<bool>(), t->data<bool>()[i]) << name << "[" << i << "]";
      } else {
        const double got = entry["values"][i].get<double>();
        EXPECT_EQ(got, want[i]) << name << "[" << i << "]";
        EXPECT_EQ(std::signbit(got), std::signbit(want[i])) << name << "[" << i << "]";
      }
    }
  }
}

// Compares a loaded file against an entry of tests/golden/safetensors/expected.json.
void expect_matches_golden(const SafetensorsFile& f, const nlohmann::json& want) {
  if (want["metadata"].is_null()) {
    EXPECT_TRUE(f.metadata.empty());
  } else {
    const auto meta = want["metadata"].get<std::map<std::string, std::string>>();
    EXPECT_EQ(f.metadata, meta);
  }
  ASSERT_EQ(f.tensors.size(), want["tensors"].size());
  for (const auto& [name, w] : want["tensors"].items()) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(f.contains(name));
    const Tensor& t = f.at(name);
    const std::string dt = w["dtype"];
    const DType expect_dtype = dt == "F64"                                    ? DType::float64
                               : dt == "BOOL"                                 ? DType::boolean
                               : (dt == "F32" || dt == "F16" || dt == "BF16") ? DType::float32
                               : dt == "I32"                                  ? DType::int32
                                                                              : DType::int64;
    EXPECT_EQ(t.dtype(), expect_dtype);
    EXPECT_EQ(t.shape().vec(), w["shape"].get<std::vector<int64_t>>());
    const std::vector<double> got = values_of(t);
    ASSERT_EQ(got.size(), w["values"].size());
    for (size_t i = 0; i < got.size(); ++i) {
      const auto& v = w["values"][i];
      if (v.is_string()) {
        EXPECT_EQ(got[i], v == "inf" ? INFINITY : -INFINITY) << i;
      } else if (v.is_boolean()) {
        EXPECT_EQ(got[i], v.get<bool>() ? 1.0 : 0.0) << i;
      } else if (t.dtype() == DType::int64) {
        EXPECT_EQ(t.data<int64_t>()[i], v.get<int64_t>()) << i;
      } else {
        EXPECT_EQ(got[i], v.get<double>()) << i;
        EXPECT_EQ(std::signbit(got[i]), std::signbit(v.get<double>())) << i;
      }
    }
  }
}

TEST_F(SafetensorsTest, ReadsPythonWrittenFixtures) {
  const auto expected = nlohmann::json::parse(read_bytes(kGolden / "expected.json"));
  for (const char* name : {"basic", "convert", "any_order"}) {
    SCOPED_TRACE(name);
    expect_matches_golden(load_safetensors(kGolden / (std::string(name) + ".safetensors")), expected[name]);
  }
  // Offset order, whatever the JSON order.
  EXPECT_EQ(load_safetensors(kGolden / "any_order.safetensors").names(),
            expected["any_order"]["order"].get<std::vector<std::string>>());
}

// ---- malformed files ----

const std::string kGoodHeader = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
const std::string kGoodData = raw<float>({1.0f, 2.0f});

TEST_F(SafetensorsTest, GoodBaselineParses) {
  SafetensorsFile f = parse_safetensors(file_with(kGoodHeader, kGoodData));
  EXPECT_EQ(f.at("w").to_vector<float>(), (std::vector<float>{1.0f, 2.0f}));
}

TEST_F(SafetensorsTest, RejectsShortFileAndBadHeaderLength) {
  expect_rejected<IOError>("", {"0 bytes", "shorter than the 8-byte"});
  expect_rejected<IOError>(std::string("\x10\0\0", 3), {"3 bytes"});
  expect_rejected<IOError>(le64(100) + "{}", {"header length 100 exceeds the file"});
  expect_rejected<IOError>(le64(100'000'001) + "{}", {"100000000-byte limit"});
  expect_rejected<IOError>(le64(std::numeric_limits<uint64_t>::max()) + "{}", {"limit"});
}

TEST_F(SafetensorsTest, RejectsInvalidJson) {
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32",,}})", ""), {"not valid JSON"});
  try {
    parse_safetensors(file_with(R"({"w": nope})", ""), "bad.safetensors");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.source(), "bad.safetensors");
    EXPECT_EQ(e.line(), 1);
    EXPECT_GE(e.column(), 7);  // at or just after the 'n' of nope
    EXPECT_LE(e.column(), 9);
  }
  expect_rejected<ParseError>(file_with("[1, 2]", ""), {"expected a JSON object, got array"});
  expect_rejected<ParseError>(file_with("", ""), {"not valid JSON"});
  expect_rejected<ParseError>(file_with("{\"w\xff\":1}", ""), {"not valid JSON"});  // invalid UTF-8
}

TEST_F(SafetensorsTest, RejectsMissingAndUnknownFields) {
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32","shape":[2]}})", kGoodData),
                              {"tensor 'w'", "missing field 'data_offsets'"});
  expect_rejected<ParseError>(file_with(R"({"w":{"shape":[2],"data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "missing field 'dtype'"});
  expect_rejected<ParseError>(
      file_with(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"stride":[1]}})", kGoodData),
      {"tensor 'w'", "unknown field 'stride'"});
  expect_rejected<ParseError>(file_with(R"({"w":[1,2]})", kGoodData), {"tensor 'w'", "expected an object"});
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":7,"shape":[2],"data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "dtype must be a string"});
}

TEST_F(SafetensorsTest, RejectsUnknownDtype) {
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "unknown dtype 'F128'"});
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "F8_E4M3", "not supported"});
}

TEST_F(SafetensorsTest, RejectsBadShapes) {
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "negative dimension"});
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "non-negative integers"});
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "shape must be an array"});
  expect_rejected<ParseError>(
      file_with(R"({"w":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,2],"data_offsets":[0,8]}})", kGoodData),
      {"tensor 'w'", "9 dimensions"});
  expect_rejected<ParseError>(
      file_with(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", kGoodData),
      {"tensor 'w'", "too many elements"});
}

TEST_F(SafetensorsTest, RejectsByteCountMismatch) {
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", kGoodData),
                              {"tensor 'w'", "span 8 bytes", "needs 3 * 4 = 12"});
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", kGoodData),
                              {"tensor 'w'", "end before they begin"});
  expect_rejected<ParseError>(file_with(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,-8]}})", kGoodData),
                              {"tensor 'w'", "non-negative integers"});
}

TEST_F(SafetensorsTest, RejectsOffsetsOutOfBoundsOverlappingOrWithGaps) {
  // Truncated: the header promises 8 bytes, 4 are there.
  expect_rejected<ParseError>(file_with(kGoodHeader, kGoodData.substr(0, 4)),
                              {"tensor 'w'", "run past the end of the data (4 bytes"});
  const std::string two_data = raw<float>({1, 2, 3, 4});
  expect_rejected<ParseError>(
      file_with(
          R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
          two_data),
      {"tensor 'b'", "overlap tensor 'a'"});
  expect_rejected<ParseError>(
      file_with(
          R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
          two_data),
      {"tensor 'b'", "leave bytes [4, 8)"});
  expect_rejected<ParseError>(file_with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", kGoodData),
                              {"tensor 'a'", "leave bytes [0, 4)"});
  // Data the header does not account for.
  expect_rejected<ParseError>(file_with(kGoodHeader, kGoodData + "xyz"), {"3 bytes after the last tensor"});
}

TEST_F(SafetensorsTest, RejectsDuplicateNamesAndFields) {
  expect_rejected<ParseError>(
      file_with(
          R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
          kGoodData),
      {"the name 'w' appears twice"});
  expect_rejected<ParseError>(
      file_with(R"({"w":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}})", kGoodData),
      {"field 'dtype' appears twice in the entry for 'w'"});
  expect_rejected<ParseError>(file_with(R"({"__metadata__":{"a":"1","a":"2"}})", ""),
                              {"field 'a' appears twice in the entry for '__metadata__'"});
}

TEST_F(SafetensorsTest, RejectsBadMetadataAndBoolBytes) {
  expect_rejected<ParseError>(file_with(R"({"__metadata__":{"epoch":3}})", ""), {"__metadata__", "'epoch'", "string"});
  expect_rejected<ParseError>(file_with(R"({"__metadata__":"x"})", ""), {"__metadata__ must be an object"});
  EXPECT_TRUE(parse_safetensors(file_with(R"({"__metadata__":null})", "")).metadata.empty());
  expect_rejected<ParseError>(
      file_with(R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", std::string("\x01\x02", 2)),
      {"tensor 'm'", "element 1 is byte 2"});
  expect_rejected<ParseError>(file_with(R"({"u":{"dtype":"U64","shape":[1],"data_offsets":[0,8]}})",
                                        raw<uint64_t>({std::numeric_limits<uint64_t>::max()})),
                              {"tensor 'u'", "does not fit in int64"});
}

TEST_F(SafetensorsTest, LoadErrorsNameTheFile) {
  write_bytes(path("bad.safetensors"), file_with(R"({"w":{"dtype":"X","shape":[2],"data_offsets":[0,8]}})", kGoodData));
  try {
    load_safetensors(path("bad.safetensors"));
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find(path("bad.safetensors").string()), std::string::npos) << e.what();
    EXPECT_EQ(e.source(), path("bad.safetensors").string());
  }
  EXPECT_THROW(load_safetensors(path("missing.safetensors")), IOError);
  EXPECT_THROW(load_safetensors(dir_), IOError);  // a directory
}

// ---- writing safely ----

std::vector<std::string> directory_listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(SafetensorsTest, RejectedSaveLeavesDestinationUntouched) {
  save_safetensors(path("m.safetensors"), {{"w", f32({1, 2}, {2})}});
  const std::string before = read_bytes(path("m.safetensors"));
  EXPECT_THROW(save_safetensors(path("m.safetensors"), {{"a", f32({1}, {1})}, {"a", f32({2}, {1})}}), ValueError);
  EXPECT_THROW(save_safetensors(path("m.safetensors"), {{"__metadata__", f32({1}, {1})}}), ValueError);
  EXPECT_THROW(save_safetensors(path("m.safetensors"), {{"u", Tensor()}}), ValueError);
  EXPECT_THROW(save_safetensors(path("m.safetensors"), {{"bad\xff", f32({1}, {1})}}), ValueError);
  EXPECT_THROW(save_safetensors(path("m.safetensors"), {{"w", f32({1}, {1})}}, {{"k", "\xc3"}}), ValueError);
  EXPECT_EQ(read_bytes(path("m.safetensors")), before);
  EXPECT_EQ(directory_listing(dir_), std::vector<std::string>{"m.safetensors"});
}

TEST_F(SafetensorsTest, FailedWriteLeavesDestinationUntouched) {
  save_safetensors(path("m.safetensors"), {{"w", f32({1, 2}, {2})}});
  const std::string before = read_bytes(path("m.safetensors"));
  // Make the next write hit "file too large" half-way through the data: a real I/O failure
  // after the header has been written.
  struct rlimit old {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  Tensor big = zeros({64, 1024}, DType::float32);  // 256 KiB
  bool threw = false;
  std::string msg;
  try {
    save_safetensors(path("m.safetensors"), {{"big", big}});
  } catch (const IOError& e) {
    threw = true;
    msg = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw);
  EXPECT_NE(msg.find("m.safetensors"), std::string::npos) << msg;
  EXPECT_EQ(read_bytes(path("m.safetensors")), before);
  EXPECT_EQ(directory_listing(dir_), std::vector<std::string>{"m.safetensors"});  // no temporary left
  // And a save that fits still replaces it.
  save_safetensors(path("m.safetensors"), {{"big", big}});
  EXPECT_EQ(load_safetensors(path("m.safetensors")).at("big").shape(), (Shape{64, 1024}));
}

TEST_F(SafetensorsTest, SaveIntoMissingDirectoryFails) {
  EXPECT_THROW(save_safetensors(path("no/such/dir/m.safetensors"), {{"w", f32({1}, {1})}}), IOError);
}

TEST_F(SafetensorsTest, AtomicWriterDiscardsUncommittedFile) {
  write_bytes(path("f.txt"), "old");
  {
    AtomicFileWriter w(path("f.txt"));
    w.write("new contents", 12);
    EXPECT_TRUE(fs::exists(w.temporary_path()));
  }  // destroyed without commit, as when an exception unwinds
  EXPECT_EQ(read_bytes(path("f.txt")), "old");
  EXPECT_EQ(directory_listing(dir_), std::vector<std::string>{"f.txt"});
  {
    AtomicFileWriter w(path("f.txt"));
    w.write("new", 3);
    w.commit();
  }
  EXPECT_EQ(read_bytes(path("f.txt")), "new");
}

}  // namespace
}  // namespace nabla
