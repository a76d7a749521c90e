#include "nabla/data/dataloader.h"

#include <numeric>

#include "rows.h"

namespace nabla {

DataLoader::DataLoader(Dataset data, DataLoaderOptions options) : data_(std::move(data)), options_(options) {
  NABLA_CHECK(options_.batch_size >= 1, ValueError, "DataLoader: batch_size must be positive, got ",
              options_.batch_size);
  NABLA_CHECK(!(options_.seed && options_.generator), ValueError, "DataLoader: give a seed or a generator, not both");
  data_.validate();
  NABLA_CHECK(data_.size() > 0, ValueError, "DataLoader: the dataset", data_.name.empty() ? "" : " '", data_.name,
              data_.name.empty() ? "" : "'", " has no rows");
  // Batches are row copies; contiguous sources make each one a run of memcpy.
  data_.x = data_detail::contiguous_copy(data_.x);
  data_.y = data_detail::contiguous_copy(data_.y);
  if (options_.seed) own_ = std::make_shared<Generator>(*options_.seed);
}

Generator* DataLoader::generator() { return own_ ? own_.get() : options_.generator; }

int64_t DataLoader::size() const {
  const int64_t n = data_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : n / b + (n % b != 0);  // not (n + b - 1) / b: b may be near 2^63
}

DataLoader::Iterator DataLoader::begin() { return Iterator(this); }

DataLoader::Iterator::Iterator(DataLoader* loader) : loader_(loader), done_(false) {
  ++loader_->epochs_;
  const int64_t n = loader_->data_.size();
  Generator* g = loader_->generator();
  // torch draws the workers' base seed even with no workers; draw it too to stay in step.
  (g ? *g : default_generator()).random64();
  order_ = std::make_shared<std::vector<int64_t>>();
  if (loader_->options_.shuffle) {
    if (!g) {
      // RandomSampler without a generator: seed a fresh one from the default generator with
      // int64 random_(), i.e. random64() reduced to [0, 2^63).
      const uint64_t seed = default_generator().random64() % (uint64_t(1) << 63);
      sampler_gen_ = std::make_shared<Generator>(seed);
      g = sampler_gen_.get();
    }
    *order_ = randperm(n, g).to_vector<int64_t>();
    sampler_ = g;
  } else {
    order_->resize(n);
    std::iota(order_->begin(), order_->end(), 0);
  }
  fetch();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  fetch();
  return *this;
}

void DataLoader::Iterator::fetch() {
  if (done_) return;
  const int64_t n = static_cast<int64_t>(order_->size());
  const int64_t bs = loader_->options_.batch_size;
  const int64_t b = next_batch_++;
  // RandomSampler's generator function draws its trailing randperm(n)[:0] when asked for
  // element n, which happens while fetching batch n / bs (a partial batch or the end).
  if (sampler_ && b == n / bs) (void)randperm(n, sampler_);
  if (b >= loader_->size()) {
    done_ = true;
    batch_ = Batch{};
    return;
  }
  const int64_t begin = b * bs, end = begin + std::min(bs, n - begin);  // b * bs < n: no overflow
  batch_.index.assign(order_->begin() + begin, order_->begin() + end);
  batch_.x = data_detail::take_rows(loader_->data_.x, batch_.index.data(), end - begin);
  batch_.y = data_detail::take_rows(loader_->data_.y, batch_.index.data(), end - begin);
}

}  // namespace nabla
