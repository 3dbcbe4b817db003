# Evolution on the ImageNet supernet (SPOS defaults: population 50, top-10, 20 generations,
# mutation probability 0.1), scored like configs/search/random_search_in1k.py.
#   bash tools/dist_search.sh configs/search/evolution_in1k.py SUPERNET.pth 8
_base_ = ['./random_search_in1k.py']

search_cfg = dict(
    _delete_=True,
    type='mmsgnas.EvolutionSearchLoop',
    population_size=50,
    top_k=10,
    max_generations=20,
    num_mutation=25,
    num_crossover=25,
    mutation_prob=0.1,
    flops_budget=320.0,
    input_size=224,
    dataloader={{_base_.search_cfg.dataloader}},
    recal_dataloader={{_base_.search_cfg.recal_dataloader}},
    recal_batches=20,
    cache_data=False,
    seed=0,
    save_interval=10,
    log_interval=10,
    out_dir='evolution')
