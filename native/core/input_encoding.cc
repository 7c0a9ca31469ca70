#include "core/input_encoding.hpp"

#include <Eigen/Dense>
#include <cmath>

#include "core/error.hpp"

namespace spikegrad {

namespace {
using ConstMatrixMap = Eigen::Map<const Eigen::MatrixXd>;
using ConstVectorMap = Eigen::Map<const Eigen::VectorXd>;
}  // namespace

void summedInputWeights(const double* W, std::size_t rows, std::size_t cols, const double* active,
                        double* out) {
  ConstMatrixMap w(W, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  ConstVectorMap a(active, static_cast<Eigen::Index>(cols));
  if (!a.allFinite()) {
    throw Error(ErrorCode::kNonFinite, "summedInputWeights: active must hold finite numbers");
  }
  if (!w.allFinite()) {
    throw Error(ErrorCode::kNonFinite, "summedInputWeights: W must hold finite numbers");
  }
  Eigen::Map<Eigen::VectorXd> o(out, static_cast<Eigen::Index>(rows));
  o.noalias() = w * a;
}

void summedInputWeightsGrad(const double* g, std::size_t rows, std::size_t cols,
                            const double* active, double* dW) {
  ConstVectorMap gv(g, static_cast<Eigen::Index>(rows));
  ConstVectorMap a(active, static_cast<Eigen::Index>(cols));
  Eigen::Map<Eigen::MatrixXd> d(dW, static_cast<Eigen::Index>(rows),
                                static_cast<Eigen::Index>(cols));
  d.noalias() += gv * a.transpose();
}

}  // namespace spikegrad
