// nabla/data/mnist.h — read IDX files, the format MNIST and Fashion-MNIST are distributed in.
//
// An IDX file is a 4-byte magic number {0, 0, type, ndim}, ndim big-endian uint32 dimensions,
// then the elements row-major and big-endian. type: 0x08 uint8, 0x09 int8, 0x0B int16,
// 0x0C int32, 0x0D float32, 0x0E float64. Files must be decompressed first (gunzip).
//
//   nabla::Dataset train = nabla::load_mnist("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
//   // train.x float32 [60000, 784] in [0, 1]; train.y int64 [60000]; train.num_classes == 10
//   nabla::Tensor raw = nabla::load_idx("t10k-images-idx3-ubyte");   // int64 [10000, 28, 28]
//
// Every check names the file: the magic number (gzip data is recognised and called out), the
// element type, the expected number of dimensions, and the file size, which must be exactly
// 4 + 4 ndim + (product of dimensions) * element size (IOError otherwise, before allocating).
#pragma once
#include <string>

#include "nabla/data/dataset.h"

namespace nabla {

// Paths are std::string, as in csv.h and safetensors.h: a std::filesystem::path converts to one
// implicitly, and the public headers stay free of <filesystem> (a third of a second per file).

// The array with its own shape: integer types as int64, float32 as float32, float64 as float64.
Tensor load_idx(const std::string& path);
// An idx3 uint8 image file [N, rows, cols] as float32 [N, rows * cols] scaled by 1/255.
Tensor load_idx_images(const std::string& path);
// An idx1 uint8 label file [N] as int64 [N].
Tensor load_idx_labels(const std::string& path);
// Images and labels together; IOError if their counts differ. num_classes = max label + 1
// (10 for MNIST), class_names "0".."9" style.
Dataset load_mnist(const std::string& images, const std::string& labels);

}  // namespace nabla
