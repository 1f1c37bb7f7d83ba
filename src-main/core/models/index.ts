/**
 * Models: backbones (ResNet-18, U-Net), fusion of modalities, task heads and multitask assembly. Importing this
 * module also registers Terrafuse's custom layers with tfjs serialisation, which loading a saved model needs.
 */
export * from './spec';
export * from './layers';
export * from './names';
export * from './resnet';
export * from './unet';
export * from './backbone';
export * from './fusion';
export * from './heads';
export * from './task-model';
export * from './encoder';
export * from './transfer-weights';
