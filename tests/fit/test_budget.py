"""The training budget (seqkit.fit.train): the plan for 'auto' options against hand-computed
values, why training stopped, the learning-rate schedule, and the per-feature scaling inside
the sequence model (training split only, real steps only, padding still masked)."""

import keras
import numpy as np
import pytest

import seqkit
from seqkit.classification.models import masked_feature_stats
from seqkit.classification.sequences import SequenceClassification
from seqkit.errors import ConfigError
from seqkit.fit.options import FitOptions, RNNSpec
from seqkit.fit.train import plan_training, schedule_callbacks

AUTO = {"epochs": "auto", "batch_size": "auto", "patience": "auto", "max_seconds": None}


@pytest.mark.parametrize("n,batch,steps,epochs,patience", [
    (36, 4, 9, 334, 33),        # ceil(3000 / 9) = 334 epochs
    (67, 6, 12, 250, 25),       # the UCR set of the issue: 67 // 10 = 6
    (1257, 32, 40, 75, 8),      # digits' training split
    (25_000, 32, 782, 5, 3),    # IMDB: the 5-epoch floor
    (500_000, 32, 15_625, 5, 3),
    (10, 4, 3, 500, 50),        # tiny: at least 4 per batch; the 500-epoch cap
])
def test_auto_plan_hand_computed(n, batch, steps, epochs, patience):
    plan = plan_training(train_examples=n, **AUTO)
    assert (plan.batch_size, plan.steps_per_epoch, plan.epochs, plan.patience) == \
        (batch, steps, epochs, patience)
    assert plan.max_seconds == 1800.0  # auto epochs are bounded in time
    assert set(plan.reasons) == {"batch_size", "epochs", "max_seconds", "patience"}


def test_explicit_values_are_kept():
    plan = plan_training(epochs=7, batch_size=16, patience=None, max_seconds=None,
                         train_examples=100)
    assert (plan.epochs, plan.batch_size, plan.patience, plan.max_seconds) == (7, 16, None,
                                                                               None)
    assert plan.steps_per_epoch == 7 and plan.reasons == {}
    assert plan_training(epochs=2000, batch_size=32, patience="auto", max_seconds=None,
                         train_examples=64).patience == 50  # capped


def test_schedule_only_with_room_for_it():
    def names(**kw):
        return [type(c).__name__ for c in schedule_callbacks(learning_rate=1e-3, **kw)]

    assert names(watch="val_loss", patience=3, lr_schedule="plateau", max_seconds=None) == []
    assert names(watch=None, patience=20, lr_schedule="plateau", max_seconds=None) == []
    plateau = schedule_callbacks(watch="val_loss", patience=12, lr_schedule="plateau",
                                 learning_rate=1e-3, max_seconds=None)[0]
    assert isinstance(plateau, keras.callbacks.ReduceLROnPlateau)
    assert plateau.patience == 6 and plateau.factor == 0.5
    assert plateau.min_lr == pytest.approx(1e-3 / 64)
    assert names(watch="loss", patience=12, lr_schedule=None, max_seconds=5) == \
        ["TimeBudget"]


@pytest.mark.parametrize("kwargs,needle", [
    ({"epochs": "many"}, "epochs must be 'auto' or an integer >= 1, got 'many'"),
    ({"batch_size": 0}, "batch_size must be 'auto' or an integer >= 1, got 0"),
    ({"patience": -1}, "patience must be 'auto', None or an integer >= 0, got -1"),
    ({"lr_schedule": "cosine"}, "lr_schedule must be one of ('plateau', None), got 'cosine'"),
    ({"max_seconds": 0}, "max_seconds must be a positive finite number, got 0"),
])
def test_bad_budget_options(kwargs, needle):
    with pytest.raises(ConfigError) as err:
        FitOptions(**kwargs).checked()
    assert str(err.value) == needle


def _separable(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5, 2)).astype("float32")
    y = np.where(x[:, :, 0].mean(axis=1) > 0, "up", "down")
    return x, y


def test_timing_reports_steps_and_the_epoch_budget():
    x, y = _separable()
    r = seqkit.fit_sequence_classifier(x, y, units=4, epochs=3, patience=None, verbose=0)
    plan = r.timing["plan"]
    # 60 sequences: test 20%, val 10% of the rest... whatever the split, steps follow it
    n_train = r.data_info["split_sizes"]["train"]
    assert plan["batch_size"] == max(4, min(32, n_train // 10))
    assert plan["steps_per_epoch"] == -(-n_train // plan["batch_size"])
    assert r.timing["epochs_run"] == 3
    assert r.timing["steps_run"] == 3 * plan["steps_per_epoch"]
    assert r.timing["stop_reason"] == "epoch budget used (3 epochs)"
    assert "stopped: epoch budget used (3 epochs)" in r.summary()


def test_time_budget_stops_after_the_first_epoch():
    x, y = _separable()
    r = seqkit.fit_sequence_classifier(x, y, units=4, epochs=50, max_seconds=1e-3,
                                       verbose=0)
    assert r.timing["epochs_run"] == 1
    assert r.timing["stop_reason"] == "time budget of 0 s"


def test_early_stopping_is_named_with_its_best_epoch():
    x, y = _separable(n=400)  # a validation split of 32: early stopping watches val_loss
    # a learning rate this large makes val_loss worse after the first epochs
    r = seqkit.fit_sequence_classifier(x, y, units=4, epochs=60, patience=2, learning_rate=3.0,
                                       lr_schedule=None, verbose=0)
    assert r.timing["epochs_run"] < 60
    best = r.timing["best_epoch"]
    assert r.timing["stop_reason"] == (
        f"early stopping: no better val_loss for 2 epochs (best epoch {best})")
    assert r.history["val_loss"][best - 1] == min(r.history["val_loss"])


def test_sequence_scaling_uses_the_training_split_and_real_steps_only():
    rng = np.random.default_rng(1)
    x = rng.normal(loc=[5.0, -3.0], scale=[2.0, 0.5], size=(80, 6, 2)).astype("float32")
    x[::2] += 100.0  # half the set far away: the training split's statistics differ
    x[:, 4:] = 0.0   # two padding steps per sequence
    y = np.array(["a", "b"] * 40)
    task = SequenceClassification(x, y)
    task.check()
    task.load(seed=0)
    model = task.build_model(RNNSpec("gru", 4))
    layer = model.get_layer("scale_inputs")
    train_real = task.train_x[:, :4].reshape(-1, 2).astype("float64")
    np.testing.assert_allclose(np.asarray(layer.mean).reshape(-1), train_real.mean(axis=0),
                               rtol=1e-5)
    np.testing.assert_allclose(np.sqrt(np.asarray(layer.variance).reshape(-1)),
                               train_real.std(axis=0), rtol=1e-5)
    all_mean, _ = masked_feature_stats(x)
    assert not np.allclose(all_mean, train_real.mean(axis=0))
    # padding is still masked after scaling: more zero steps do not change the answer
    longer = np.concatenate([x[:3], np.zeros((3, 5, 2), "float32")], axis=1)
    np.testing.assert_allclose(model.predict(x[:3], verbose=0),
                               model.predict(longer, verbose=0), rtol=1e-5, atol=1e-6)


def test_a_validation_split_too_small_to_judge_by_trains_too():
    x, y = _separable(n=50)  # test 20% = 10, val 10% of 40 = 4: too few to stop on
    r = seqkit.fit_sequence_classifier(x, y, units=4, epochs=4, patience=1, lr_schedule=None,
                                       verbose=0)
    sizes = r.data_info["split_sizes"]
    assert sizes["val"] == 0 and sizes["train"] + sizes["test"] == 50
    assert "too few to judge by" in r.data_info["validation"]
    assert "val_loss" not in r.history
    # watching the training loss, training runs the whole budget (patience 1 does not stop
    # it) and keeps the weights of the lowest training loss
    assert r.timing["epochs_run"] == 4
    assert r.timing["stop_reason"] == "epoch budget used (4 epochs)"
    assert r.timing["best_epoch"] == int(np.argmin(r.history["loss"])) + 1
    big = seqkit.fit_sequence_classifier(*_separable(n=400), units=4, epochs=1, verbose=0)
    assert big.data_info["split_sizes"]["val"] >= 20 and "validation" not in big.data_info
