# Evolution (SPOS: top-k parents, mutation 0.1 and crossover) on the Fashion-MNIST supernet, scored
# like configs/fmnist/random_search_fmnist.py: population 20, 5 generations (100 evaluations, the
# same count as random search).
_base_ = ['./random_search_fmnist.py']

search_cfg = dict(
    _delete_=True,
    type='mmsgnas.EvolutionSearchLoop',
    population_size=20,
    top_k=5,
    max_generations=5,
    num_mutation=10,
    num_crossover=10,
    mutation_prob=0.1,
    flops_budget=7.0,
    input_size=28,
    dataloader={{_base_.search_cfg.dataloader}},
    recal_dataloader={{_base_.search_cfg.recal_dataloader}},
    recal_batches=2,
    seed=0,
    save_interval=20,
    log_interval=20,
    out_dir='evolution')
