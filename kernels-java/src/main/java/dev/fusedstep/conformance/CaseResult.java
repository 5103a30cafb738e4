package dev.fusedstep.conformance;

import java.util.List;

/**
 * The outcome of replaying one golden case: per-step parameter errors (ours and PyTorch
 * float32's, both against float64), the final state's errors, and whether all met the bar.
 *
 * @param file the case file's name
 * @param optimizer the torch.optim class
 * @param hyper the keyword arguments, as JSON
 * @param backend what the steps ran on, e.g. "vector, 2 threads" or "cuda:0 (NVIDIA H100 ...)"
 * @param steps steps replayed
 * @param n parameter elements
 * @param stepErrors parameter errors after each step, index t-1 for step t
 * @param stateErrors final state buffers' errors, in the rule's state order
 * @param problems what else did not match (missing state in the file, scalar state), empty if none
 */
public record CaseResult(String file, String optimizer, String hyper, String backend, int steps, long n,
        List<ErrorStats> stepErrors, List<ErrorStats> stateErrors, List<String> problems) {

    public CaseResult {
        stepErrors = List.copyOf(stepErrors);
        stateErrors = List.copyOf(stateErrors);
        problems = List.copyOf(problems);
    }

    /** The case name: the file name without {@code .safetensors}. */
    public String name() {
        return file.endsWith(".safetensors") ? file.substring(0, file.length() - ".safetensors".length()) : file;
    }

    /** Every step's parameters met the bar. */
    public boolean paramsPassed() {
        return stepErrors.stream().allMatch(ErrorStats::passed);
    }

    /** Every final state buffer met the bar and nothing else mismatched. */
    public boolean statePassed() {
        return stateErrors.stream().allMatch(ErrorStats::passed) && problems.isEmpty();
    }

    public boolean passed() {
        return paramsPassed() && statePassed();
    }

    /** The first step whose parameters missed the bar, or null. */
    public ErrorStats firstFailingStep() {
        return stepErrors.stream().filter(e -> !e.passed()).findFirst().orElse(null);
    }

    /** The largest per-step ratio of our max error to PyTorch's. */
    public double worstMaxRatio() {
        return stepErrors.stream().mapToDouble(ErrorStats::maxRatio).max().orElse(1.0);
    }

    /** The largest per-step ratio of our mean error to PyTorch's. */
    public double worstMeanRatio() {
        return stepErrors.stream().mapToDouble(ErrorStats::meanRatio).max().orElse(1.0);
    }

    /** Steps at which PyTorch float32 was exact, where the mean bar demands exactness (worth knowing when reading a failure). */
    public List<Integer> exactReferenceSteps() {
        return java.util.stream.IntStream.range(0, stepErrors.size())
                .filter(i -> stepErrors.get(i).exactReference()).map(i -> i + 1).boxed().toList();
    }

    /** A multi-line account: what missed the bar, or a one-line summary when all passed. */
    public String detail() {
        StringBuilder sb = new StringBuilder();
        sb.append(name()).append(" (").append(optimizer).append(' ').append(hyper).append(", ")
                .append(backend).append("): ").append(passed() ? "PASS" : "FAIL");
        sb.append(String.format(" worst ratios max %.2fx mean %.2fx", worstMaxRatio(), worstMeanRatio()));
        for (ErrorStats e : stepErrors) {
            if (!e.passed()) {
                sb.append("\n  ").append(e.describe());
            }
        }
        for (ErrorStats e : stateErrors) {
            if (!e.passed()) {
                sb.append("\n  ").append(e.describe());
            }
        }
        for (String p : problems) {
            sb.append("\n  ").append(p);
        }
        List<Integer> exact = exactReferenceSteps();
        if (!exact.isEmpty()) {
            sb.append("\n  note: PyTorch float32 equals float64 exactly at steps ").append(exact)
                    .append(", where the mean bar demands an exact match");
        }
        return sb.toString();
    }
}
