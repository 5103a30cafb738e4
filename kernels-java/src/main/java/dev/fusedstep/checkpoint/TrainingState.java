package dev.fusedstep.checkpoint;

import dev.fusedstep.amp.GradScaler;
import dev.fusedstep.optim.Optimizer;
import dev.fusedstep.schedule.LrScheduler;
import dev.fusedstep.schedule.ReduceLROnPlateau;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything fusedstep holds for a training run, saved to and loaded from one checkpoint: the
 * optimizer (every state buffer in its storage dtype, float32 master weights, step counts,
 * each group's hyperparameters, the stochastic-rounding seed), and optionally the lr scheduler's
 * position and the loss scaler's scale and growth tracker. The model's parameters are the
 * caller's memory and are saved with the model, not here.
 *
 * <pre>{@code
 * TrainingState run = TrainingState.of(opt).withScheduler(scheduler).withScaler(scaler);
 * run.save(Path.of("ckpt/last.safetensors"));   // atomic: the old file stays until the new one is complete
 * ...
 * run.load(Path.of("ckpt/last.safetensors"));   // checked in full before anything changes
 * }</pre>
 *
 * <p>Resuming is bit-exact: N steps, save, load into a freshly built optimizer (same groups,
 * parameters and storage, parameters restored by the caller), M more steps give the bits of
 * N + M steps without the save. The file is safetensors with PyTorch's state_dict names; see
 * {@code tools/checkpoint_convert.py} to move optimizer state to and from PyTorch.
 */
public final class TrainingState {
    private final Optimizer optimizer;
    private final LrScheduler scheduler;
    private final ReduceLROnPlateau plateau;
    private final GradScaler scaler;

    private TrainingState(Optimizer optimizer, LrScheduler scheduler, ReduceLROnPlateau plateau, GradScaler scaler) {
        this.optimizer = optimizer;
        this.scheduler = scheduler;
        this.plateau = plateau;
        this.scaler = scaler;
    }

    /** The state of {@code optimizer} alone. */
    public static TrainingState of(Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer: got null, expected an Optimizer");
        }
        return new TrainingState(optimizer, null, null, null);
    }

    /** Also the position of {@code scheduler} (bound to this optimizer). */
    public TrainingState withScheduler(LrScheduler scheduler) {
        requireNoScheduler(scheduler, "scheduler: got null, expected an LrScheduler");
        return new TrainingState(optimizer, scheduler, null, scaler);
    }

    /** Also the counters of {@code plateau} (bound to this optimizer). */
    public TrainingState withScheduler(ReduceLROnPlateau plateau) {
        requireNoScheduler(plateau, "plateau: got null, expected a ReduceLROnPlateau");
        return new TrainingState(optimizer, null, plateau, scaler);
    }

    /** Also the scale and growth tracker of {@code scaler}. */
    public TrainingState withScaler(GradScaler scaler) {
        if (scaler == null) {
            throw new IllegalArgumentException("scaler: got null, expected a GradScaler");
        }
        return new TrainingState(optimizer, this.scheduler, plateau, scaler);
    }

    private void requireNoScheduler(Object s, String nullMessage) {
        if (s == null) {
            throw new IllegalArgumentException(nullMessage);
        }
        if (scheduler != null || plateau != null) {
            throw new IllegalArgumentException("scheduler: this state already has one ("
                    + (scheduler != null ? "an LrScheduler" : "a ReduceLROnPlateau") + "), expected at most one");
        }
    }

    /**
     * Writes the state to {@code path}, replacing any file there atomically: a temporary file in
     * the same folder, forced to disk, renamed over {@code path}, the folder forced. A crash or
     * kill during the save leaves the previous file as it was.
     */
    public void save(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path: got null, expected a checkpoint file to write");
        }
        if (!optimizer.isOpen()) {
            throw new IllegalStateException("optimizer: closed, expected an open optimizer to save");
        }
        Map<String, String> meta = new LinkedHashMap<>(OptimizerSave.metadata(optimizer));
        if (scheduler != null) {
            meta.put(CheckpointLayout.SCHEDULER_KEY, SchedulerJson.write(scheduler));
        }
        if (plateau != null) {
            meta.put(CheckpointLayout.SCHEDULER_KEY, SchedulerJson.write(plateau));
        }
        if (scaler != null) {
            meta.put(CheckpointLayout.SCALER_KEY, ScalerJson.write(scaler));
        }
        try (Arena scratch = Arena.ofConfined()) {
            CheckpointWriter.write(path, OptimizerSave.items(optimizer, scratch), meta);
        }
    }

    /**
     * Restores the state {@link #save} wrote. The file is memory-mapped and checked in full
     * first (checksum, header, that it matches this optimizer, scheduler and scaler); on any
     * error a {@link CheckpointException} names what differs and nothing has changed. Then the
     * tensors are copied straight from the mapping into the optimizer's buffers. Parts of the
     * file this state does not ask for (a scheduler, a scaler) are left unread.
     */
    public void load(Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("path: got null, expected a checkpoint file to read");
        }
        try (CheckpointFile file = CheckpointFile.open(path)) {
            file.requireIntact();
            List<Restore> steps = new ArrayList<>();
            steps.add(OptimizerRestore.plan(file, optimizer));
            String where = path + ": metadata \"" + CheckpointLayout.SCHEDULER_KEY + "\"";
            if (scheduler != null) {
                steps.add(SchedulerJson.plan(file.json(CheckpointLayout.SCHEDULER_KEY), scheduler, where));
            }
            if (plateau != null) {
                steps.add(SchedulerJson.plan(file.json(CheckpointLayout.SCHEDULER_KEY), plateau, where));
            }
            if (scaler != null) {
                steps.add(ScalerJson.plan(file.json(CheckpointLayout.SCALER_KEY), scaler,
                        path + ": metadata \"" + CheckpointLayout.SCALER_KEY + "\""));
            }
            // In this order: the scheduler re-applies its lr over the rules the optimizer part restored.
            for (Restore r : steps) {
                r.apply();
            }
        }
    }
}
