#pragma once
// The oneDNN peer of one conv layer: forward, then the input's and the
// kernel's gradients of sum(conv(x, k) ⊙ r), with x and r in NHWC and k in
// [KH,KW,Cin,Cout] (HWIO) as typegrad holds them. oneDNN picks its own
// layouts (format_tag::any), its best case, and each step reorders into
// them and back, as a user holding NHWC data must. One thread: Debian's
// oneDNN runs on OpenMP, and bench::rerun_with_one_thread sets
// OMP_NUM_THREADS=1.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <vector>

namespace bench {

class onednn_conv {
 public:
  // A 3x3-style conv of a square image, stride 1, `pad` pixels each side.
  onednn_conv(std::size_t batch, std::size_t side, std::size_t cin, std::size_t cout, std::size_t kernel, std::size_t pad)
      : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    const auto d = [](std::size_t v) { return dnnl::memory::dim(v); };
    const std::size_t out_side = side + 2 * pad - kernel + 1;
    const dnnl::memory::dims src{d(batch), d(cin), d(side), d(side)}, weights{d(cout), d(cin), d(kernel), d(kernel)},
        dst{d(batch), d(cout), d(out_side), d(out_side)}, strides{1, 1}, padding{d(pad), d(pad)};
    const auto any = [](const dnnl::memory::dims& dims) { return dnnl::memory::desc(dims, dt::f32, tag::any); };
    user_src_ = {{src, dt::f32, tag::nhwc}, engine_};
    user_weights_ = {{weights, dt::f32, tag::hwio}, engine_};
    user_diff_dst_ = {{dst, dt::f32, tag::nhwc}, engine_};
    user_dst_ = {{dst, dt::f32, tag::nhwc}, engine_};
    user_diff_src_ = {{src, dt::f32, tag::nhwc}, engine_};
    user_diff_weights_ = {{weights, dt::f32, tag::hwio}, engine_};

    const dnnl::convolution_forward::primitive_desc forward_pd(
        {dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, any(src), any(weights), any(dst), strides,
         padding, padding},
        engine_);
    const dnnl::convolution_backward_data::primitive_desc data_pd(
        {dnnl::algorithm::convolution_direct, any(src), any(weights), any(dst), strides, padding, padding}, engine_,
        forward_pd);
    const dnnl::convolution_backward_weights::primitive_desc weights_pd(
        {dnnl::algorithm::convolution_direct, any(src), any(weights), any(dst), strides, padding, padding}, engine_,
        forward_pd);
    forward_ = dnnl::convolution_forward(forward_pd);
    backward_data_ = dnnl::convolution_backward_data(data_pd);
    backward_weights_ = dnnl::convolution_backward_weights(weights_pd);
    fwd_src_ = dnnl::memory(forward_pd.src_desc(), engine_);
    fwd_weights_ = dnnl::memory(forward_pd.weights_desc(), engine_);
    fwd_dst_ = dnnl::memory(forward_pd.dst_desc(), engine_);
    data_weights_ = dnnl::memory(data_pd.weights_desc(), engine_);
    data_diff_dst_ = dnnl::memory(data_pd.diff_dst_desc(), engine_);
    data_diff_src_ = dnnl::memory(data_pd.diff_src_desc(), engine_);
    weights_src_ = dnnl::memory(weights_pd.src_desc(), engine_);
    weights_diff_dst_ = dnnl::memory(weights_pd.diff_dst_desc(), engine_);
    weights_diff_weights_ = dnnl::memory(weights_pd.diff_weights_desc(), engine_);
    into_forward_ = {{user_src_, fwd_src_}, {user_weights_, fwd_weights_}};
    into_backward_ = {{fwd_dst_, user_dst_},
                      {user_diff_dst_, data_diff_dst_},
                      {user_weights_, data_weights_},
                      {user_src_, weights_src_},
                      {user_diff_dst_, weights_diff_dst_}};
    out_of_ = {{data_diff_src_, user_diff_src_}, {weights_diff_weights_, user_diff_weights_}};
  }

  float* x() { return static_cast<float*>(user_src_.get_data_handle()); }
  float* k() { return static_cast<float*>(user_weights_.get_data_handle()); }
  float* r() { return static_cast<float*>(user_diff_dst_.get_data_handle()); }
  const float* y() const { return static_cast<const float*>(user_dst_.get_data_handle()); }
  const float* dk() const { return static_cast<const float*>(user_diff_weights_.get_data_handle()); }
  const float* dx() const { return static_cast<const float*>(user_diff_src_.get_data_handle()); }

  // Forward and both gradients, from and back to the user's layouts.
  void step() {
    for (auto& c : into_forward_) c.run(stream_);
    forward_.execute(stream_, {{DNNL_ARG_SRC, fwd_src_}, {DNNL_ARG_WEIGHTS, fwd_weights_}, {DNNL_ARG_DST, fwd_dst_}});
    for (auto& c : into_backward_) c.run(stream_);
    backward_data_.execute(stream_, {{DNNL_ARG_DIFF_DST, data_diff_dst_},
                                     {DNNL_ARG_WEIGHTS, data_weights_},
                                     {DNNL_ARG_DIFF_SRC, data_diff_src_}});
    backward_weights_.execute(stream_, {{DNNL_ARG_SRC, weights_src_},
                                        {DNNL_ARG_DIFF_DST, weights_diff_dst_},
                                        {DNNL_ARG_DIFF_WEIGHTS, weights_diff_weights_}});
    for (auto& c : out_of_) c.run(stream_);
    stream_.wait();
  }

 private:
  // A reorder made once: a copy where the layouts differ, and where oneDNN
  // chose the user's layout, the one buffer shared instead.
  struct relayout {
    dnnl::memory from, to;
    dnnl::reorder copy;
    relayout(dnnl::memory& f, dnnl::memory& t) : from(f), to(t) {
      if (f.get_desc() == t.get_desc())
        t.set_data_handle(f.get_data_handle());
      else
        copy = dnnl::reorder(f, t);
    }
    void run(dnnl::stream& s) {
      if (copy) copy.execute(s, from, to);
    }
  };

  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::memory user_src_, user_weights_, user_diff_dst_, user_dst_, user_diff_src_, user_diff_weights_;
  dnnl::convolution_forward forward_;
  dnnl::convolution_backward_data backward_data_;
  dnnl::convolution_backward_weights backward_weights_;
  dnnl::memory fwd_src_, fwd_weights_, fwd_dst_, data_weights_, data_diff_dst_, data_diff_src_, weights_src_,
      weights_diff_dst_, weights_diff_weights_;
  std::vector<relayout> into_forward_, into_backward_, out_of_;
};

}  // namespace bench
