// nabla/data/dataloader.h — mini-batches over a Dataset, reshuffled every epoch.
//
// Each range-for over a DataLoader is one epoch. With shuffle, the epoch's order is a
// randperm(N) from the loader's generator, drawn exactly as torch.utils.data.DataLoader(
// shuffle=True, generator=g) draws it (PyTorch 1.13–2.x, single process), so the same seed gives
// the same batches as PyTorch and leaves the generator in the same state:
//   per epoch, on begin(): one random64() (torch's _base_seed for workers, unused here), then
//   randperm(N); when the sampler runs dry (fetching batch N / batch_size): a second randperm(N),
//   discarded. With no generator or seed, the draws come from nabla's default generator and
//   the permutation from a private Generator seeded by the default one, as torch's
//   RandomSampler does without a generator.
//
//   nabla::DataLoader loader(train, {.batch_size = 32, .shuffle = true, .seed = 0});
//   for (int epoch = 0; epoch < 10; ++epoch)
//     for (const nabla::Batch& b : loader) step(b.x, b.y);   // b.x [32, F], b.y [32, 1] or [32]
#pragma once
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/data/dataset.h"

namespace nabla {

struct DataLoaderOptions {
  int64_t batch_size = 32;
  bool shuffle = false;               // as torch's default; training loops want true
  bool drop_last = false;             // skip the final batch when it is smaller than batch_size
  std::optional<uint64_t> seed = {};  // a private Generator(seed), like torch.Generator().manual_seed(seed)...
  Generator* generator = nullptr;     // ...or this one, shared with the caller (not both)
};

// One mini-batch: rows `index` of the dataset, copied (x [B, F], y [B, 1] or [B]).
struct Batch {
  Tensor x, y;
  std::vector<int64_t> index;
};

class DataLoader {
 public:
  explicit DataLoader(Dataset data, DataLoaderOptions options = {});

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = const Batch*;
    using reference = const Batch&;

    Iterator() = default;
    const Batch& operator*() const { return batch_; }
    const Batch* operator->() const { return &batch_; }
    Iterator& operator++();
    void operator++(int) { ++*this; }
    friend bool operator==(const Iterator& it, std::default_sentinel_t) { return it.done_; }

   private:
    friend class DataLoader;
    explicit Iterator(DataLoader* loader);
    void fetch();

    DataLoader* loader_ = nullptr;
    std::shared_ptr<std::vector<int64_t>> order_;  // this epoch's row order
    std::shared_ptr<Generator> sampler_gen_;       // private generator when none was given
    Generator* sampler_ = nullptr;                 // the permutation's generator (shuffle only)
    int64_t next_batch_ = 0;
    bool done_ = true;
    Batch batch_;
  };

  // Starts a new epoch (drawing its permutation) and returns its first batch.
  Iterator begin();
  std::default_sentinel_t end() const { return {}; }

  // Batches per epoch: ceil(N / B), or floor(N / B) with drop_last (len() of a torch DataLoader).
  int64_t size() const;
  int64_t epochs_started() const { return epochs_; }
  const Dataset& dataset() const { return data_; }
  const DataLoaderOptions& options() const { return options_; }

 private:
  Generator* generator();  // the one the options name, or nullptr for the default

  Dataset data_;
  DataLoaderOptions options_;
  std::shared_ptr<Generator> own_;
  int64_t epochs_ = 0;
};

}  // namespace nabla
