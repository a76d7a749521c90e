// Tests for nabla/data/mnist.h on IDX files the test writes itself.
#include "nabla/data/mnist.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace nabla {
namespace {

namespace fs = std::filesystem;

class MnistTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nabla_mnist_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes an IDX file: magic {0, 0, type, ndim}, big-endian dims, then `payload` as given.
  fs::path write_idx(const std::string& name, uint8_t type, std::vector<uint32_t> dims, const std::string& payload) {
    std::string bytes{'\0', '\0', char(type), char(dims.size())};
    for (uint32_t d : dims)
      for (int s = 24; s >= 0; s -= 8) bytes += char((d >> s) & 0xff);
    bytes += payload;
    return write(name, bytes);
  }
  fs::path write(const std::string& name, const std::string& bytes) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << bytes;
    return dir_ / name;
  }

  fs::path dir_;
};

std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s += char(b);
  return s;
}

template <class T>
std::string big_endian(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    for (int i = sizeof(T) - 1; i >= 0; --i) s += b[i];
  }
  return s;
}

TEST_F(MnistTest, LoadsImagesAndLabels) {
  // 3 images of 2 x 3 pixels.
  std::string pixels;
  for (int i = 0; i < 18; ++i) pixels += char(i * 15);
  fs::path images = write_idx("img-idx3-ubyte", 0x08, {3, 2, 3}, pixels);
  fs::path labels = write_idx("lbl-idx1-ubyte", 0x08, {3}, bytes({7, 0, 9}));
  Dataset d = load_mnist(images, labels);
  EXPECT_EQ(d.x.shape(), (Shape{3, 6}));
  EXPECT_EQ(d.x.dtype(), DType::float32);
  const std::vector<float> x = d.x.to_vector<float>();
  for (int i = 0; i < 18; ++i) EXPECT_FLOAT_EQ(x[i], float(i * 15) / 255.0f);
  EXPECT_EQ(x[17], 1.0f);  // 255 -> exactly 1
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_EQ(d.y.dtype(), DType::int64);
  EXPECT_EQ(d.y.to_vector<int64_t>(), (std::vector<int64_t>{7, 0, 9}));
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(d.class_names.size(), 10u);
}

TEST_F(MnistTest, LoadIdxKeepsShapeAndConvertsTypes) {
  Tensor u8 = load_idx(write_idx("u8", 0x08, {2, 2}, bytes({0, 1, 128, 255})));
  EXPECT_EQ(u8.shape(), (Shape{2, 2}));
  EXPECT_EQ(u8.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 128, 255}));
  Tensor i8 = load_idx(write_idx("i8", 0x09, {2}, bytes({0x80, 0x7f})));
  EXPECT_EQ(i8.to_vector<int64_t>(), (std::vector<int64_t>{-128, 127}));
  Tensor i16 = load_idx(write_idx("i16", 0x0B, {2}, big_endian<int16_t>({-2, 300})));
  EXPECT_EQ(i16.to_vector<int64_t>(), (std::vector<int64_t>{-2, 300}));
  Tensor i32 = load_idx(write_idx("i32", 0x0C, {1, 2}, big_endian<int32_t>({-70000, 123456789})));
  EXPECT_EQ(i32.to_vector<int64_t>(), (std::vector<int64_t>{-70000, 123456789}));
  Tensor f32 = load_idx(write_idx("f32", 0x0D, {2}, big_endian<float>({1.5f, -0.25f})));
  EXPECT_EQ(f32.dtype(), DType::float32);
  EXPECT_EQ(f32.to_vector<float>(), (std::vector<float>{1.5f, -0.25f}));
  Tensor f64 = load_idx(write_idx("f64", 0x0E, {1}, big_endian<double>({3.141592653589793})));
  EXPECT_EQ(f64.dtype(), DType::float64);
  EXPECT_EQ(f64.to_vector<double>(), (std::vector<double>{3.141592653589793}));
}

// Expects IOError whose message names the file and contains `fragment`.
template <class F>
void expect_io_error(F&& f, const fs::path& path, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error; expected '" << fragment << "'";
  } catch (const IOError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST_F(MnistTest, ChecksMagicTypeAndDimensions) {
  fs::path p = write("bad_magic", bytes({1, 0, 8, 1, 0, 0, 0, 0}));
  expect_io_error([&] { load_idx(p); }, p, "two zero bytes");
  p = write("gz", bytes({0x1f, 0x8b, 8, 0, 0, 0}));
  expect_io_error([&] { load_idx(p); }, p, "gunzip");
  p = write("short", bytes({0, 0}));
  expect_io_error([&] { load_idx(p); }, p, "shorter than the 4-byte magic");
  p = write_idx("type", 0x0A, {1}, bytes({0}));
  expect_io_error([&] { load_idx(p); }, p, "unknown IDX element type 0xa");
  p = write_idx("labels_as_images", 0x08, {4}, bytes({1, 2, 3, 4}));
  expect_io_error([&] { load_idx_images(p); }, p, "must have 3 dimensions (idx3), the file has 1");
  p = write_idx("float_images", 0x0D, {1, 1, 1}, big_endian<float>({0.5f}));
  expect_io_error([&] { load_idx_images(p); }, p, "must be uint8");
  p = write("cut_dims", bytes({0, 0, 8, 3, 0, 0, 0, 1}));
  expect_io_error([&] { load_idx(p); }, p, "ends inside its 3 dimension sizes");
}

TEST_F(MnistTest, ChecksDimensionsAgainstFileSize) {
  fs::path p = write_idx("truncated", 0x08, {2, 3, 3}, std::string(17, '\1'));
  expect_io_error([&] { load_idx_images(p); }, p,
                  "2 x 3 x 3 of uint8 need 34 bytes with the header, but the file has 33");
  p = write_idx("trailing", 0x08, {2}, bytes({1, 2, 3}));
  expect_io_error([&] { load_idx_labels(p); }, p, "need 10 bytes with the header, but the file has 11");
  // Huge dimensions are refused from the header alone, before any allocation.
  p = write_idx("huge", 0x0E, {0xffffffffu, 0xffffffffu, 0xffffffffu}, "");
  expect_io_error([&] { load_idx(p); }, p, "more than 2^64");
  p = write_idx("big", 0x08, {60000, 28, 28}, std::string(10, '\0'));
  expect_io_error([&] { load_idx_images(p); }, p, "truncated");
}

TEST_F(MnistTest, ImageAndLabelCountsMustAgree) {
  fs::path images = write_idx("img", 0x08, {2, 1, 1}, bytes({0, 255}));
  fs::path labels = write_idx("lbl", 0x08, {3}, bytes({0, 1, 2}));
  expect_io_error([&] { load_mnist(images, labels); }, images, "has 2 images but");
  EXPECT_THROW(load_idx(dir_ / "missing"), IOError);
}

}  // namespace
}  // namespace nabla
