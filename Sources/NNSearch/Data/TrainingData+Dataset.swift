import NNSearchKernel

// The kernel's `TrainingData` knows nothing of `Dataset`; here a split becomes one.

extension TrainingData {
    package init(train: Dataset, validation: Dataset) {
        let lossKind: LossKind
        switch train.targets {
        case .classes(_, let names):
            lossKind = names.count == 2 ? .binaryCrossEntropy : .softmaxCrossEntropy(classes: names.count)
        case .values:
            lossKind = .meanSquaredError
        }
        self.init(featureCount: train.featureCount, lossKind: lossKind,
                  train: Part(train), validation: Part(validation))
    }
}

extension TrainingData.Part {
    init(_ data: Dataset) {
        switch data.targets {
        case .classes(let l, _): self.init(rows: data.rowCount, features: data.features, labels: l, values: [])
        case .values(let v): self.init(rows: data.rowCount, features: data.features, labels: [], values: v)
        }
    }
}
