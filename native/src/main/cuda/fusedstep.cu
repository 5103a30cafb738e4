// The one translation unit nvcc compiles into fusedstep.fatbin: every kernel, one library,
// so the Java side loads a single image (cudaLibraryLoadData) and looks kernels up by name.
// Every kernel is extern "C": its name is the symbol, with no C++ mangling.
#include "optim/sgd.cu"
#include "optim/adagrad.cu"
#include "optim/rmsprop.cu"
#include "optim/adam.cu"
#include "optim/adamax.cu"
#include "optim/nadam.cu"
#include "optim/radam.cu"
#include "optim/adadelta.cu"
#include "tensor/casts.cu"
#include "tensor/fill.cu"
#include "tensor/norm.cu"
#include "tensor/init.cu"
#include "tensor/amp.cu"
#include "tensor/mlp.cu"
